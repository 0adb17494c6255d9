//! What the server notes about the client: kept with each device session
//! and each security event, so the owner can tell their devices apart; and
//! the key it proved it holds, if any, which tokens issued to it are bound
//! to.

use super::dpop::Jkt;

/// The client's address (as the trusted proxies report it), its user
/// agent, and the key its request proved (a DPoP proof the token endpoint
/// checked): tokens issued to it are bound to that key.
#[derive(Clone, Debug, Default)]
pub struct ClientMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub key: Option<Jkt>,
}
