//! A parsed step command made into the engine's command, with the defaults
//! only the end knows filled in: its family, where it binds, and where its
//! peer is (the demo server's real port, a UDP server's last sender). A
//! default that is not known yet is a message, never port 0.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use bytes::Bytes;

use super::{StepCmd, StepUsage, usage};
use crate::app::end::EndState;
use crate::app::targets::Row;
use crate::net::{Addr, Call, Command, Family, Target};

/// The loopback address of a family, port 0: where a client binds.
fn any_port(v6: bool) -> Addr {
    let ip = if v6 { IpAddr::V6(Ipv6Addr::LOCALHOST) } else { IpAddr::V4(Ipv4Addr::LOCALHOST) };
    Addr::Inet(SocketAddr::new(ip, 0))
}

/// Whether an address still says "any port": the peer is not bound yet.
fn unbound(addr: &Addr) -> bool {
    addr.inet().is_some_and(|a| a.port() == 0)
}

/// The bytes of a `/send TEXT`, as Python's `b'TEXT'` holds them.
fn bytes(text: &str) -> Bytes {
    Bytes::from(text.as_bytes().to_vec())
}

impl StepCmd {
    /// The engine command for `end`; `server` is where the demo's server
    /// listens or is bound (its real port: a demo client's `/connect` and
    /// `/sendto` go there).
    ///
    /// # Errors
    /// A message for the student when a default cannot be filled in.
    pub fn command(&self, end: &EndState, server: Option<Addr>) -> Result<Command, StepUsage> {
        let target = match end.role.target() {
            Target::Addr(a) => Some(Addr::Inet(a)),
            Target::Host(..) => None,
            Target::Unix(name) => Some(Addr::Unix(name)),
        };
        let v6 = target.as_ref().is_some_and(Addr::is_ipv6);
        let unix = end.role.is_unix();
        let call = match self {
            Self::Socket => {
                let family = match (unix, v6) {
                    (true, _) => Family::Unix,
                    (false, true) => Family::Inet6,
                    (false, false) => Family::Inet,
                };
                Call::Socket { family, kind: end.kind }
            }
            Self::SetSockOpt(opt) => Call::SetSockOpt(*opt),
            Self::Bind(a) => {
                // A Unix client has no address of its own to bind by default.
                let own = match (end.role.is_server(), unix) {
                    (true, _) => target,
                    (false, false) => Some(any_port(v6)),
                    (false, true) => None,
                };
                let a = a.clone().or(own);
                let a = a.ok_or_else(|| usage("bind", "give the address to bind"))?;
                Call::Bind(same_family("bind", unix, a)?)
            }
            Self::Listen(n) => Call::Listen(*n),
            Self::Accept => Call::Accept,
            Self::Recv(0) => return Err(usage("recv", "a bufsize of 0 receives nothing")),
            Self::RecvFrom(0) => return Err(usage("recvfrom", "a bufsize of 0 receives nothing")),
            Self::Recv(n) => Call::Recv { bufsize: *n },
            Self::RecvFrom(n) => Call::RecvFrom { bufsize: *n },
            Self::Send(text) | Self::SendAll(text) => {
                let len = text.len();
                let call = if matches!(self, Self::Send(_)) {
                    Call::Send { len }
                } else {
                    Call::SendAll { len }
                };
                return Ok(Command::CallWith { sock: 0, call, data: bytes(text) });
            }
            Self::SendTo(a, text) => {
                let to = match a {
                    Some(a) => Addr::Inet(*a),
                    None => peer(end, server, target, "sendto")?,
                };
                let call = Call::SendTo { len: text.len(), to };
                return Ok(Command::CallWith { sock: 0, call, data: bytes(text) });
            }
            Self::Connect(a) | Self::ConnectEx(a) => {
                let name = if matches!(self, Self::Connect(_)) { "connect" } else { "connect_ex" };
                let to = match a {
                    Some(a) => same_family(name, unix, a.clone())?,
                    None => peer(end, server, target, name)?,
                };
                if matches!(self, Self::Connect(_)) {
                    Call::Connect(to)
                } else {
                    Call::ConnectEx(to)
                }
            }
            Self::SetTimeout(t) => Call::SetTimeout(*t),
            Self::SetBlocking(on) => Call::SetBlocking(*on),
            Self::GetSockName => Call::GetSockName,
            Self::GetPeerName => Call::GetPeerName,
            Self::Fileno => Call::Fileno,
            Self::Shutdown(how) => Call::Shutdown(*how),
            Self::Close => Call::Close,
        };
        Ok(Command::Call { sock: 0, call })
    }
}

/// `addr` when it is of the end's family: Python raises `TypeError` for a
/// path given to an IP socket (and an IP tuple given to a Unix one), so
/// nothing is called.
fn same_family(name: &str, unix: bool, addr: Addr) -> Result<Addr, StepUsage> {
    match (unix, &addr) {
        (true, Addr::Inet(_)) => {
            Err(usage(name, "a Unix socket takes a path, e.g. ./chat.sock (Python: TypeError)"))
        }
        (false, Addr::Unix(_)) => Err(usage(
            name,
            "an IP socket takes HOST:PORT, e.g. 127.0.0.1:8080 (Python: TypeError)",
        )),
        _ => Ok(addr),
    }
}

/// Where `/connect` or `/sendto` goes without an address: a UDP server
/// answers its last sender (or the peer picked in its list); a client goes
/// to the demo server's real address, else to its command line's.
fn peer(
    end: &EndState,
    server: Option<Addr>,
    target: Option<Addr>,
    name: &str,
) -> Result<Addr, StepUsage> {
    if end.role.serves_datagrams() {
        let picked = match &end.targets.picked {
            Some(Row::Peer(a)) => Some(a.clone()),
            _ => None,
        };
        return picked.or_else(|| end.targets.last_sender.clone()).ok_or_else(|| {
            usage(
                name,
                "no datagram has arrived yet, so there is nobody to answer; give the address",
            )
        });
    }
    match server.or(target) {
        Some(a) if unbound(&a) => Err(usage(
            name,
            "the server has no port yet (it has not called bind); bind it first (F2 in the demo), \
             or give the address",
        )),
        Some(a) => Ok(a),
        None => Err(usage(name, "give the address, e.g. 127.0.0.1:8080")),
    }
}
