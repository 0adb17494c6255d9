//! What the server notes about the client: kept with each device session
//! and each security event, so the owner can tell their devices apart; and
//! what its token request asks of the tokens: the key it proved it holds,
//! which they are bound to, and the service they are for.

use super::dpop::Jkt;

/// The client's address (as the trusted proxies report it), its user
/// agent, the key its request proved (a DPoP proof the token endpoint
/// checked: tokens issued to it are bound to that key), and the resource
/// server it asked tokens for (RFC 8707; `None`: Latchkey's own API).
#[derive(Clone, Debug, Default)]
pub struct ClientMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub key: Option<Jkt>,
    pub resource: Option<String>,
}
