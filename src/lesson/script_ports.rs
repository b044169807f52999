//! The ports an export names besides PORT: a server that listened on a
//! second port (chapter 6 restarts its server on a fresh one) writes it as
//! PORT2, and its client's connection there too, both from argv, so that a
//! pair of scripts run together agree on every port as they do on PORT.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;

use super::Lang;
use crate::net::{Addr, SockId};

/// The ports a script names besides PORT.
#[derive(Debug, Default)]
pub(super) struct Ports {
    /// Where each socket of the session listened (a bind to port 0 is
    /// written as the port it got).
    pub bound: BTreeMap<SockId, SocketAddr>,
    /// PORT2, PORT3, ...: the other listening addresses the session served
    /// on or reached, taken from argv so that a pair of scripts agrees.
    pub extra: Vec<SocketAddr>,
}

impl Ports {
    /// A bind's address as the script writes it: a bind to port 0 that got
    /// a `PORTn` is written as that port.
    pub fn bound_as(&self, sock: SockId, a: &Addr) -> Addr {
        let got = self.bound.get(&sock).filter(|g| self.extra.contains(g));
        match (a.inet(), got) {
            (Some(ip), Some(got)) if ip.port() == 0 => Addr::Inet(*got),
            _ => a.clone(),
        }
    }

    /// The header's comment lines saying what each `PORTn` is.
    pub fn comments(&self, lang: Lang) -> String {
        let mut out = String::new();
        for (k, a) in self.extra.iter().enumerate() {
            let (n, port) = (k + 2, a.port());
            let _ = match lang {
                Lang::En => writeln!(
                    out,
                    "# PORT{n} (argument {}, default {port}): the server's listener number {n}.",
                    n + 1
                ),
                Lang::Zh => writeln!(
                    out,
                    "# PORT{n}（第 {} 个参数，默认 {port}）：服务器的第 {n} 个监听端口。",
                    n + 1
                ),
            };
        }
        out
    }

    /// `PORT2 = int(sys.argv[3]) if ...`, one line per `PORTn`.
    pub fn argv(&self) -> String {
        let mut out = String::new();
        for (k, a) in self.extra.iter().enumerate() {
            let (n, port) = (k + 2, a.port());
            let _ = writeln!(
                out,
                "PORT{n} = int(sys.argv[{0}]) if len(sys.argv) > {0} else {port}",
                n + 1
            );
        }
        out
    }
}

/// A connect to `to` (as `Body::addr` writes it): a `PORTn` is a listener the
/// server's script opens later than the first, so the connect is retried
/// while refused (the student waited for it by hand). The line, and
/// whether it needs [`retry_helper`].
pub(super) fn connect_line(var: &str, to: &str) -> (String, bool) {
    if to.starts_with("(HOST, PORT") && to != "(HOST, PORT)" {
        (format!("connect_retry({var}, {to})"), true)
    } else {
        (format!("{var}.connect({to})"), false)
    }
}

/// `connect_retry(sock, addr)`: bounded, 100 tries 0.1 s apart.
pub(super) fn retry_helper(lang: Lang) -> String {
    let doc = match lang {
        Lang::En => {
            "connect(), retried while refused for up to 10 s: the server's script\n    \
             opens this listener later, as you waited for it by hand."
        }
        Lang::Zh => {
            "connect()，被拒绝时重试，最多 10 秒：服务器脚本稍后才打开这个\n    \
             监听端口，就像你当时手动等待它一样。"
        }
    };
    format!(
        "\n\ndef connect_retry(sock, addr):\n    \"\"\"{doc}\"\"\"\n    for _ in range(100):\n        \
         if sock.connect_ex(addr) == 0:\n            return\n        time.sleep(0.1)\n    \
         sock.connect(addr)\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_listener_is_port2_from_argv_and_its_connect_retries() {
        let second: SocketAddr = "127.0.0.1:45205".parse().unwrap();
        let ports = Ports { bound: BTreeMap::from([(3, second)]), extra: vec![second] };
        let fresh = Addr::Inet("127.0.0.1:0".parse().unwrap());
        assert_eq!(ports.bound_as(3, &fresh), Addr::Inet(second));
        assert_eq!(ports.bound_as(1, &fresh), fresh, "another socket's bind is left alone");
        assert_eq!(ports.argv(), "PORT2 = int(sys.argv[3]) if len(sys.argv) > 3 else 45205\n");
        assert!(ports.comments(Lang::En).starts_with("# PORT2 (argument 3, default 45205)"));
        assert_eq!(
            connect_line("c", "(HOST, PORT2)"),
            ("connect_retry(c, (HOST, PORT2))".into(), true)
        );
        assert_eq!(connect_line("c", "(HOST, PORT)"), ("c.connect((HOST, PORT))".into(), false));
        assert!(retry_helper(Lang::En).contains("def connect_retry(sock, addr):"));
    }
}
