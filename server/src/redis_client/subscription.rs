//! What a subscription hears, the same way from one server and from a
//! cluster.
//!
//! One server: a dedicated RESP2 pub/sub connection. A cluster: a RESP3
//! cluster connection that receives messages as pushes. Either way the
//! subscription ends when a connection under it is lost, and the listener
//! subscribes again on a new one. On a cluster that matters: when the master
//! carrying the channels dies, redis-rs reconnects to the dead address and
//! learns the new layout only when a command fails, which an idle listening
//! connection never sends, so it would stay deaf after the failover; a new
//! connection learns the layout afresh and subscribes on the promoted
//! replica. [`Heard::Subscribed`] opens each subscription: that is when a
//! listener must read what it may have missed.

use redis::aio::PubSubStream;
use redis::cluster_async::ClusterConnection;
use redis::{PushInfo, PushKind, Value};
use tokio::sync::mpsc::UnboundedReceiver;

/// One event of a subscription.
#[derive(Debug, PartialEq)]
pub enum Heard {
    /// Subscribed (again): messages sent before may have been missed.
    Subscribed,
    /// A message on `channel` (its full name, prefix included).
    Message { channel: String, payload: String },
}

/// A live subscription; [`Subscription::next`] yields what it hears.
pub struct Subscription(Inner);

enum Inner {
    Single {
        stream: PubSubStream,
        announced: bool,
    },
    Cluster {
        /// Kept alive: dropping it ends the subscription.
        _conn: ClusterConnection,
        pushes: UnboundedReceiver<PushInfo>,
        /// The channel whose (re)subscription is announced (one per
        /// resubscription, not one per channel).
        first: String,
    },
}

impl Subscription {
    pub(super) fn single(stream: PubSubStream) -> Self {
        Subscription(Inner::Single {
            stream,
            announced: false,
        })
    }

    pub(super) fn cluster(
        conn: ClusterConnection,
        pushes: UnboundedReceiver<PushInfo>,
        first: String,
    ) -> Self {
        Subscription(Inner::Cluster {
            _conn: conn,
            pushes,
            first,
        })
    }

    /// The next event; `None` once the subscription is lost for good.
    pub async fn next(&mut self) -> Option<Heard> {
        use futures_util::StreamExt;
        match &mut self.0 {
            Inner::Single { stream, announced } => {
                if !*announced {
                    *announced = true;
                    return Some(Heard::Subscribed);
                }
                let msg = stream.next().await?;
                Some(Heard::Message {
                    channel: msg.get_channel_name().to_string(),
                    payload: msg.get_payload().unwrap_or_default(),
                })
            }
            Inner::Cluster { pushes, first, .. } => loop {
                match meaning(pushes.recv().await?, first) {
                    Push::Heard(heard) => return Some(heard),
                    Push::Lost => return None,
                    Push::Other => {}
                }
            },
        }
    }
}

/// What a cluster push means to a listener.
#[derive(Debug, PartialEq)]
enum Push {
    Heard(Heard),
    /// A connection under the subscription was lost.
    Lost,
    /// Nothing to act on (a confirmation of another channel, say).
    Other,
}

/// A sharded message (`[channel, payload]`), the subscription of `first`,
/// or a lost connection.
fn meaning(push: PushInfo, first: &str) -> Push {
    let text = |v: Option<&Value>| v.and_then(|v| redis::from_redis_value_ref::<String>(v).ok());
    match push.kind {
        PushKind::SMessage => match (text(push.data.first()), text(push.data.get(1))) {
            (Some(channel), Some(payload)) => Push::Heard(Heard::Message { channel, payload }),
            _ => Push::Other,
        },
        PushKind::SSubscribe if text(push.data.first()).as_deref() == Some(first) => {
            Push::Heard(Heard::Subscribed)
        }
        PushKind::Disconnection => Push::Lost,
        _ => Push::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(kind: PushKind, data: &[&str]) -> PushInfo {
        PushInfo {
            kind,
            data: data
                .iter()
                .map(|s| Value::BulkString(s.as_bytes().to_vec()))
                .collect(),
        }
    }

    #[test]
    fn a_sharded_message_is_heard_with_its_channel() {
        assert_eq!(
            meaning(push(PushKind::SMessage, &["p:{r}", "1 sid n"]), "p:{r}"),
            Push::Heard(Heard::Message {
                channel: "p:{r}".into(),
                payload: "1 sid n".into()
            })
        );
        assert_eq!(meaning(push(PushKind::SMessage, &[]), "p:{r}"), Push::Other);
    }

    #[test]
    fn a_subscription_is_announced_once_not_per_channel() {
        let first = "p:{r}";
        assert_eq!(
            meaning(push(PushKind::SSubscribe, &[first]), first),
            Push::Heard(Heard::Subscribed)
        );
        assert_eq!(
            meaning(push(PushKind::SSubscribe, &["p:{r}:applied"]), first),
            Push::Other
        );
    }

    #[test]
    fn a_lost_connection_ends_the_subscription() {
        assert_eq!(
            meaning(push(PushKind::Disconnection, &[]), "p:{r}"),
            Push::Lost
        );
    }
}
