//! ADDR as users type it: `HOST:PORT`, `[IPv6]:PORT`, or a bare `PORT`
//! (meaning 127.0.0.1); host names resolve to every address, tried in order
//! like Python's `socket.create_connection`.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::net::errors::CallError;
use crate::net::sockaddr::{Addr, UnixName};

/// Where to bind or connect, before resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// A literal address: no resolver involved.
    Addr(SocketAddr),
    /// A host name to resolve, and the port.
    Host(String, u16),
    /// An `AF_UNIX` name (never parsed from ADDR: `unix` takes a PATH).
    Unix(UnixName),
}

/// Why an ADDR could not be parsed (bad usage: exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddrError {
    #[error("missing port in {0:?}: write HOST:PORT, [IPv6]:PORT or PORT")]
    MissingPort(String),
    #[error("bad port {port:?} in {addr:?}: a port is a number from 0 to 65535")]
    BadPort { addr: String, port: String },
    #[error("empty host in {0:?}: write HOST:PORT, [IPv6]:PORT or PORT")]
    EmptyHost(String),
    #[error("bad IPv6 address in {0:?}: write it in brackets, e.g. [::1]:8080")]
    BadIpv6(String),
}

impl Target {
    /// Parses ADDR.
    ///
    /// # Errors
    /// [`AddrError`] when the text is not one of the accepted forms.
    pub fn parse(text: &str) -> Result<Self, AddrError> {
        let text = text.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            let port = parse_port(text, text)?;
            return Ok(Self::Addr(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)));
        }
        if let Some(rest) = text.strip_prefix('[') {
            let (host, port) =
                rest.split_once("]:").ok_or_else(|| AddrError::MissingPort(text.to_string()))?;
            let ip: IpAddr = host.parse().map_err(|_| AddrError::BadIpv6(text.to_string()))?;
            return Ok(Self::Addr(SocketAddr::new(ip, parse_port(text, port)?)));
        }
        let (host, port) =
            text.rsplit_once(':').ok_or_else(|| AddrError::MissingPort(text.to_string()))?;
        if host.contains(':') {
            return Err(AddrError::BadIpv6(text.to_string()));
        }
        if host.is_empty() {
            return Err(AddrError::EmptyHost(text.to_string()));
        }
        let port = parse_port(text, port)?;
        Ok(match host.parse::<IpAddr>() {
            Ok(ip) => Self::Addr(SocketAddr::new(ip, port)),
            Err(_) => Self::Host(host.to_string(), port),
        })
    }

    /// Every address the target stands for, in the resolver's order.
    ///
    /// # Errors
    /// A [`CallError`] named by its `EAI_*` code when resolution fails.
    pub async fn resolve(&self) -> Result<Vec<Addr>, CallError> {
        match self {
            Self::Addr(addr) => Ok(vec![Addr::Inet(*addr)]),
            Self::Unix(name) => Ok(vec![Addr::Unix(name.clone())]),
            Self::Host(host, port) => {
                let found = tokio::net::lookup_host((host.as_str(), *port))
                    .await
                    .map_err(|e| resolve_error(&e))?;
                let addrs: Vec<Addr> = found.map(Addr::Inet).collect();
                if addrs.is_empty() {
                    return Err(CallError::resolve("EAI_NONAME", "name or service not known"));
                }
                Ok(addrs)
            }
        }
    }
}

/// The resolver reports failures as text only; map the glibc texts back to
/// the `EAI_*` codes users can look up.
fn resolve_error(err: &std::io::Error) -> CallError {
    let text = err.to_string();
    let lower = text.to_lowercase();
    let code = if lower.contains("temporary failure") {
        "EAI_AGAIN"
    } else if lower.contains("no address associated") {
        "EAI_NODATA"
    } else if lower.contains("servname") || lower.contains("not supported for ai_socktype") {
        "EAI_SERVICE"
    } else {
        "EAI_NONAME"
    };
    let short = text.strip_prefix("failed to lookup address information: ").unwrap_or(&text);
    CallError::resolve(code, short)
}

fn parse_port(addr: &str, port: &str) -> Result<u16, AddrError> {
    port.parse().map_err(|_| AddrError::BadPort { addr: addr.to_string(), port: port.to_string() })
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Addr(addr) => write!(f, "{addr}"),
            Self::Host(host, port) => write!(f, "{host}:{port}"),
            Self::Unix(name) => write!(f, "{name}"),
        }
    }
}

impl std::str::FromStr for Target {
    type Err = AddrError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        let table = [
            ("8080", Target::Addr("127.0.0.1:8080".parse().unwrap())),
            ("0", Target::Addr("127.0.0.1:0".parse().unwrap())),
            ("127.0.0.1:9", Target::Addr("127.0.0.1:9".parse().unwrap())),
            ("[::1]:80", Target::Addr("[::1]:80".parse().unwrap())),
            ("localhost:22", Target::Host("localhost".into(), 22)),
        ];
        for (text, want) in table {
            assert_eq!(Target::parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn rejected_forms() {
        let table = [
            ("nonsense:", "bad port"),
            ("host", "missing port"),
            (":80", "empty host"),
            ("::1:80", "IPv6"),
            ("[::1]", "missing port"),
            ("[zz]:80", "IPv6"),
            ("70000", "bad port"),
        ];
        for (text, want) in table {
            let err = Target::parse(text).unwrap_err().to_string();
            assert!(err.contains(want), "{text}: {err}");
        }
    }
}
