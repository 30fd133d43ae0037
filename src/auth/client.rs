//! Who is on the other end: the client's address, as a rate-limiting key.
//!
//! It is the socket's peer, unless that peer is one of the trusted proxies
//! (`ATELIER_TRUSTED_PROXIES`): then it is the nearest address in `X-Forwarded-For` (or
//! `Forwarded`) that is not a trusted proxy itself, read from the right, since every proxy
//! appends the address it saw and only the entries added by trusted proxies can be believed.

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{HeaderMap, request::Parts},
};
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

/// The client's IP address, as a rate-limiting key.
pub struct ClientAddr(pub String);

impl ClientAddr {
    pub fn of(parts: &Parts) -> Self {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip());
        let Some(peer) = peer else {
            return Self("unknown".into());
        };
        let ip = match parts.extensions.get::<Arc<Networks>>() {
            Some(trusted) => client_ip(peer, &parts.headers, trusted),
            None => peer,
        };
        Self(ip.to_string())
    }

    /// The address as an IP (None for "unknown").
    pub fn ip(&self) -> Option<IpAddr> {
        self.0.parse().ok()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts))
    }
}

/// The client behind `peer`: see the module's comment.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &Networks) -> IpAddr {
    let peer = unmapped(peer);
    if !trusted.contains(peer) {
        return peer;
    }
    let mut chain: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| parse_ip(s.trim()))
        .collect();
    if chain.is_empty() {
        chain = headers
            .get_all("forwarded")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split([',', ';']))
            .filter_map(|pair| {
                let (k, v) = pair.trim().split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_ip(v.trim().trim_matches('"')))?
            })
            .collect();
    }
    let mut client = peer;
    for ip in chain.into_iter().rev() {
        client = ip;
        if !trusted.contains(ip) {
            break;
        }
    }
    client
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:80`.
fn parse_ip(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(unmapped(ip));
    }
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Some(unmapped(sa.ip()));
    }
    s.strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .and_then(|(ip, _)| ip.parse().ok())
        .map(unmapped)
}

/// `::ffff:1.2.3.4` is 1.2.3.4.
fn unmapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// A list of addresses and CIDR ranges, such as `10.0.0.0/8, 127.0.0.1, fd00::/8`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Networks(Vec<(IpAddr, u8)>);

impl Networks {
    /// Reads a comma- or space-separated list; names the first entry that is not an address or
    /// a range.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for item in list
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let (ip, bits) = match item.split_once('/') {
                Some((ip, bits)) => (ip, Some(bits)),
                None => (item, None),
            };
            let ip: IpAddr = ip
                .parse()
                .map_err(|_| format!("{item:?} is not an IP address or CIDR range"))?;
            let ip = unmapped(ip);
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                Some(b) => b
                    .parse::<u8>()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| format!("{item:?} has a bad prefix length"))?,
                None => max,
            };
            nets.push((ip, bits));
        }
        Ok(Self(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = unmapped(ip);
        self.0.iter().any(|(net, bits)| match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), *bits),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), *bits),
            _ => false,
        })
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let full = usize::from(bits / 8);
    let rest = bits % 8;
    if a[..full] != b[..full] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[full] & mask == b[full] & mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_hold_addresses_and_ranges_and_name_a_bad_entry() {
        let n = Networks::parse("10.0.0.0/8, 192.168.1.7 fd00::/8").unwrap();
        assert!(n.contains(ip("10.200.3.4")));
        assert!(n.contains(ip("192.168.1.7")));
        assert!(!n.contains(ip("192.168.1.8")));
        assert!(n.contains(ip("fd12::1")));
        assert!(
            n.contains(ip("::ffff:10.1.1.1")),
            "a mapped v4 address is v4"
        );
        assert!(!n.contains(ip("11.0.0.1")));
        assert!(
            Networks::parse("10.0.0.0/33")
                .unwrap_err()
                .contains("10.0.0.0/33")
        );
        assert!(
            Networks::parse("proxy.local")
                .unwrap_err()
                .contains("proxy.local")
        );
        assert!(Networks::parse("").unwrap().is_empty());
        let odd = Networks::parse("172.16.0.0/12").unwrap();
        assert!(odd.contains(ip("172.31.255.1")) && !odd.contains(ip("172.32.0.1")));
    }

    #[test]
    fn forwarded_addresses_count_only_from_a_trusted_proxy() {
        let lb = Networks::parse("10.0.0.2").unwrap();
        let xff = headers(&[("x-forwarded-for", "203.0.113.9")]);
        // Behind the load balancer: the address it saw.
        assert_eq!(client_ip(ip("10.0.0.2"), &xff, &lb), ip("203.0.113.9"));
        // Straight from the internet, a forged header is ignored.
        assert_eq!(client_ip(ip("198.51.100.1"), &xff, &lb), ip("198.51.100.1"));
        // The client's own entry on the left cannot hide it: the nearest untrusted one counts.
        let spoofed = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &spoofed, &lb), ip("203.0.113.9"));
        // Two trusted proxies in a row, and entries with ports, over two header lines.
        let two = Networks::parse("10.0.0.0/24").unwrap();
        let chain = headers(&[
            ("x-forwarded-for", "203.0.113.9:5555"),
            ("x-forwarded-for", "10.0.0.7"),
        ]);
        assert_eq!(client_ip(ip("10.0.0.2"), &chain, &two), ip("203.0.113.9"));
        // RFC 7239.
        let fwd = headers(&[(
            "forwarded",
            "for=\"[2001:db8::5]:4711\";proto=https, for=10.0.0.9",
        )]);
        assert_eq!(client_ip(ip("10.0.0.2"), &fwd, &two), ip("2001:db8::5"));
        // Nothing forwarded: the proxy itself.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &HeaderMap::new(), &lb),
            ip("10.0.0.2")
        );
    }
}

/// Who is signing in or up, as their sessions list will show it: the client address and the
/// browser's User-Agent (cut to 200 characters, without control characters).
#[derive(Debug, Clone)]
pub struct Visitor {
    pub addr: String,
    pub user_agent: Option<String>,
}

impl Visitor {
    pub fn of(parts: &Parts) -> Self {
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| {
                ua.chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect::<String>()
            })
            .filter(|ua| !ua.trim().is_empty());
        Self {
            addr: ClientAddr::of(parts).0,
            user_agent,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts))
    }
}
