//! The rules between settings that clap, reading one value at a time,
//! cannot check: run once at startup, so a bad combination stops the server
//! with a message naming the settings involved.

use super::{AuthMode, Config, SessionStoreKind};

impl Config {
    /// Checks what clap cannot: combinations of values.
    pub fn validate(&self) -> Result<(), String> {
        if self.access_ttl > self.refresh_ttl {
            return Err(format!(
                "LATCHKEY_ACCESS_TTL ({}) must not be longer than LATCHKEY_REFRESH_TTL ({})",
                humantime::format_duration(self.access_ttl),
                humantime::format_duration(self.refresh_ttl)
            ));
        }
        if self.session_idle_ttl > self.session_absolute_ttl {
            return Err(format!(
                "LATCHKEY_SESSION_IDLE_TTL ({}) must not be longer than LATCHKEY_SESSION_ABSOLUTE_TTL ({})",
                humantime::format_duration(self.session_idle_ttl),
                humantime::format_duration(self.session_absolute_ttl)
            ));
        }
        // The cross-site layer is built from it per router; check it here,
        // where a bad value can still stop startup with a message.
        if let Some(origin) = &self.public_origin {
            let _checked = tower_http::csrf::CsrfLayer::new()
                .add_trusted_origin(origin)
                .map_err(|e| format!("LATCHKEY_PUBLIC_ORIGIN: {e}"))?;
        }
        let engine = crate::db::Engine::of(&self.database_url())?;
        match self.session_store {
            SessionStoreKind::Redis if self.redis_url.is_none() => {
                return Err(
                    "LATCHKEY_SESSION_STORE=redis needs REDIS_URL (e.g. redis://127.0.0.1:6379)"
                        .into(),
                );
            }
            SessionStoreKind::Redis
                if !self.redis_cluster
                    && self.redis_url.as_deref().is_some_and(|u| u.contains(',')) =>
            {
                return Err("REDIS_URL names several servers; for a Redis Cluster set \
                            LATCHKEY_REDIS_CLUSTER=true, else give one URL"
                    .into());
            }
            // Sessions in one process's memory are invisible to every other
            // instance: behind a load balancer users would be signed out at
            // random. A PostgreSQL database means several instances.
            SessionStoreKind::Memory
                if engine == crate::db::Engine::Postgres && self.auth_mode == AuthMode::Session =>
            {
                return Err("LATCHKEY_SESSION_STORE=memory keeps sessions inside one process, but a \
                            PostgreSQL DATABASE_URL is for several instances, which would not see each \
                            other's sessions; use LATCHKEY_SESSION_STORE=database or redis"
                    .into());
            }
            _ => {}
        }
        Ok(())
    }
}
