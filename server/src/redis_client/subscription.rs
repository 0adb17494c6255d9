//! What a subscription hears, the same way from one server and from a
//! cluster.
//!
//! One server: a dedicated RESP2 pub/sub connection, whose stream ends when
//! the connection is lost (the listener then subscribes again). A cluster:
//! the client subscribes again by itself wherever the channels' slot moves,
//! and says so with a push each time, so the stream does not end;
//! [`Heard::Subscribed`] marks each (re)subscription either way, which is
//! when a listener must read what it may have missed.

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
                let push = pushes.recv().await?;
                if let Some(heard) = heard_in(push, first) {
                    return Some(heard);
                }
            },
        }
    }
}

/// What a cluster push means to a listener, if anything: a sharded message
/// (`[channel, payload]`) or the (re)subscription of `first`.
fn heard_in(push: PushInfo, first: &str) -> Option<Heard> {
    let text = |v: &Value| redis::from_redis_value_ref::<String>(v).ok();
    match push.kind {
        PushKind::SMessage => Some(Heard::Message {
            channel: text(push.data.first()?)?,
            payload: text(push.data.get(1)?)?,
        }),
        PushKind::SSubscribe if text(push.data.first()?)? == first => Some(Heard::Subscribed),
        _ => None,
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
            heard_in(push(PushKind::SMessage, &["p:{r}", "1 sid n"]), "p:{r}"),
            Some(Heard::Message {
                channel: "p:{r}".into(),
                payload: "1 sid n".into()
            })
        );
    }

    #[test]
    fn a_resubscription_is_announced_once_not_per_channel() {
        let first = "p:{r}";
        assert_eq!(
            heard_in(push(PushKind::SSubscribe, &[first]), first),
            Some(Heard::Subscribed)
        );
        assert_eq!(
            heard_in(push(PushKind::SSubscribe, &["p:{r}:applied"]), first),
            None
        );
        assert_eq!(heard_in(push(PushKind::Disconnection, &[]), first), None);
    }
}
