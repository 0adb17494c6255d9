//! What the server notes about the client: kept with each device session
//! and each security event, so the owner can tell their devices apart.

/// The client's address (as the trusted proxies report it) and user agent.
#[derive(Clone, Debug, Default)]
pub struct ClientMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}
