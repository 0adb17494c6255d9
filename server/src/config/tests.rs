use super::*;

#[test]
fn defaults_are_session_mode_on_sqlite() {
    let c = Config {
        database_url: None,
        ..Config::defaults()
    };
    assert_eq!(c.auth_mode, AuthMode::Session);
    assert_eq!(c.session_store, SessionStoreKind::Database);
    assert_eq!(c.session_idle_ttl, Duration::from_secs(24 * 3600));
    assert_eq!(c.session_absolute_ttl, Duration::from_secs(14 * 86400));
    assert!(c.database_url().starts_with("sqlite://"));
    assert!(c.validate().is_ok());
}

#[test]
fn unknown_mode_names_the_allowed_values() {
    let err = Config::try_parse_from(["latchkey", "--auth-mode", "cookies"]).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("session") && msg.contains("jwt"), "{msg}");
}

#[test]
fn unknown_store_names_the_allowed_values() {
    let err = Config::try_parse_from(["latchkey", "--session-store", "disk"]).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("memory") && msg.contains("database") && msg.contains("redis"),
        "{msg}"
    );
}

#[test]
fn redis_store_needs_a_url() {
    let c = Config::try_parse_from(["latchkey", "--session-store", "redis"]).unwrap();
    let c = Config {
        redis_url: None,
        ..c
    };
    assert!(c.validate().unwrap_err().contains("REDIS_URL"));
    let c = Config {
        redis_url: Some("redis://127.0.0.1:6379".into()),
        ..c
    };
    assert!(c.validate().is_ok());
}

#[test]
fn several_redis_urls_need_the_cluster_setting() {
    let c = Config {
        session_store: SessionStoreKind::Redis,
        redis_url: Some("redis://127.0.0.1:7001,redis://127.0.0.1:7002".into()),
        ..Config::defaults()
    };
    assert!(c
        .validate()
        .unwrap_err()
        .contains("LATCHKEY_REDIS_CLUSTER=true"));
    let c = Config::try_parse_from([
        "latchkey",
        "--session-store",
        "redis",
        "--redis-cluster",
        "true",
    ])
    .unwrap();
    let c = Config {
        redis_url: Some("redis://127.0.0.1:7001, redis://127.0.0.1:7002".into()),
        ..c
    };
    assert!(c.redis_cluster);
    assert!(c.validate().is_ok());
}

#[test]
fn memory_sessions_are_refused_for_a_shared_database() {
    let c = Config {
        session_store: SessionStoreKind::Memory,
        database_url: Some("postgres://127.0.0.1/latchkey".into()),
        ..Config::defaults()
    };
    assert!(c.validate().unwrap_err().contains("several instances"));
    let c = Config {
        database_url: Some("mysql://127.0.0.1/latchkey".into()),
        ..Config::defaults()
    };
    assert!(c.validate().unwrap_err().contains("postgres://"));
}

#[test]
fn durations_are_humantime() {
    let c = Config::try_parse_from(["latchkey", "--session-idle-ttl", "90s"]).unwrap();
    assert_eq!(c.session_idle_ttl, Duration::from_secs(90));
    let err = Config::try_parse_from(["latchkey", "--session-idle-ttl", "soon"]).unwrap_err();
    assert!(err.to_string().contains("30m"), "{err}");
    assert!(Config::try_parse_from(["latchkey", "--session-idle-ttl", "0s"]).is_err());
}

#[test]
fn idle_longer_than_absolute_is_refused() {
    let c = Config::try_parse_from([
        "latchkey",
        "--session-idle-ttl",
        "2d",
        "--session-absolute-ttl",
        "1d",
    ])
    .unwrap();
    assert!(c.validate().unwrap_err().contains("IDLE_TTL"));
}

#[test]
fn jwt_settings_parse_and_are_checked() {
    let c =
        Config::try_parse_from(["latchkey", "--auth-mode", "jwt", "--jwt-alg", "eddsa"]).unwrap();
    assert_eq!(c.auth_mode, AuthMode::Jwt);
    assert_eq!(c.jwt_alg, JwtAlg::EdDsa);
    assert_eq!(c.access_ttl, Duration::from_secs(1800));
    assert_eq!(c.refresh_ttl, Duration::from_secs(14 * 86400));
    assert!(c.validate().is_ok());
    let err = Config::try_parse_from(["latchkey", "--jwt-alg", "RS256"]).unwrap_err();
    assert!(
        err.to_string().contains("HS256") && err.to_string().contains("EdDSA"),
        "{err}"
    );
    let c =
        Config::try_parse_from(["latchkey", "--access-ttl", "2d", "--refresh-ttl", "1d"]).unwrap();
    assert!(c.validate().unwrap_err().contains("ACCESS_TTL"));
    assert!(Config::try_parse_from(["latchkey", "--refresh-grace", "5m"]).is_err());
}

#[test]
fn the_instance_is_named_by_setting_or_by_host_and_port() {
    let named = Config::parse_from(["latchkey", "--instance-name", " blue "]);
    assert_eq!(named.instance_name(), "blue");
    let unnamed = Config::parse_from(["latchkey", "--site-addr", "127.0.0.1:4123"]);
    let name = unnamed.instance_name();
    let (host, port) = name.rsplit_once(':').expect("host:port");
    assert_eq!(port, "4123");
    assert!(!host.is_empty(), "{name}");
}
