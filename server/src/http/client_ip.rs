//! Which address a request comes from, for throttling and the audit trail.
//!
//! The socket's peer address, unless that peer is a proxy the operator listed
//! in `LATCHKEY_TRUSTED_PROXIES`: then `X-Forwarded-For` is read from the
//! right, skipping trusted proxies, and the first address that is not one is
//! the client. Entries left of it were written by the client itself and are
//! never believed, so a client cannot pick its own address (and escape its
//! throttle) by sending the header.

use std::net::IpAddr;

use http::HeaderMap;
use ipnet::IpNet;

/// The client address of a request that came from `peer`.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    hops.reverse();
    let mut client = peer;
    for hop in hops {
        // A hop we cannot read ends the chain: what is left of it is unknown.
        let Ok(ip) = hop.parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_trusted;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let h = headers(&["1.2.3.4"]);
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), &h, &[]),
            Some(ip("203.0.113.9"))
        );
        let trusted = [parse_trusted("10.0.0.0/8").unwrap()];
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), &h, &trusted),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let trusted = [
            parse_trusted("10.0.0.0/8").unwrap(),
            parse_trusted("::1").unwrap(),
        ];
        // The client wrote "6.6.6.6" itself; the proxy appended the real peer.
        let h = headers(&["6.6.6.6, 198.51.100.7", "10.1.1.1"]);
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &h, &trusted),
            Some(ip("198.51.100.7"))
        );
        // No header: the proxy itself.
        assert_eq!(
            client_ip(Some(ip("::1")), &HeaderMap::new(), &trusted),
            Some(ip("::1"))
        );
        // Garbage stops the walk at the last readable hop.
        let h = headers(&["198.51.100.7, not-an-ip, 10.1.1.1"]);
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &h, &trusted),
            Some(ip("10.1.1.1"))
        );
    }

    #[test]
    fn trusted_entries_are_addresses_or_blocks() {
        assert!(parse_trusted("127.0.0.1").is_ok());
        assert!(parse_trusted("fd00::/8").is_ok());
        let err = parse_trusted("localhost").unwrap_err();
        assert!(err.contains("CIDR"), "{err}");
    }
}
