//! The kernel's own transitions (`SYN_RECV`, ESTABLISHED, `CLOSE_WAIT`, `LAST_ACK`,
//! `FIN_WAIT1/2`, `TIME_WAIT`, a connection waiting in the accept queue), which
//! happen between the calls and are marked as the kernel's doing. Each state
//! is one row with its English and Chinese side by side: there is only one
//! fact per state, so the two languages are kept together.

use super::Lang;
use super::explain::Explanation;
use crate::net::{TcpState, Transition, Whose};

/// What a state means, and a hint when the program has something to do.
struct Words {
    what: &'static str,
    hint: Option<&'static str>,
}

const fn w(what: &'static str, hint: Option<&'static str>) -> Words {
    Words { what, hint }
}

/// The state `t` reached, explained in `lang`.
pub(super) fn explain(t: &Transition, lang: Lang) -> Explanation {
    let [en, zh] = words(t.to, matches!(t.whose, Whose::Queued { .. }));
    let chosen = if lang == Lang::Zh { zh } else { en };
    Explanation {
        what: chosen.what.into(),
        result: moved(t, lang),
        hint: chosen.hint.map(str::to_string),
    }
}

/// "The kernel moved ... from X to Y by itself".
fn moved(t: &Transition, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    // A handshake still under way is in the SYN queue, not the accept queue.
    let handshaking = matches!(t.to, Some(TcpState::SynRecv | TcpState::NewSynRecv));
    let whose = match (t.whose, zh) {
        (Whose::Ours { sock }, false) => format!("sock {sock}"),
        (Whose::Ours { sock }, true) => format!("套接字{sock}"),
        (Whose::Queued { listener }, false) if handshaking => {
            format!("a connection in the SYN queue of sock {listener} (handshake not finished)")
        }
        (Whose::Queued { listener }, true) if handshaking => {
            format!("监听套接字{listener}的SYN队列中的一个连接（握手尚未完成）")
        }
        (Whose::Queued { listener }, false) => {
            format!("a connection in the accept queue of sock {listener}")
        }
        (Whose::Queued { listener }, true) => {
            format!("监听套接字{listener}的accept队列中的一个连接")
        }
        (Whose::Remains { sock }, false) => {
            format!("what the kernel keeps of closed sock {sock} (it has no fd any more)")
        }
        (Whose::Remains { sock }, true) => {
            format!("已关闭的套接字{sock}在内核中的残留（已没有文件描述符）")
        }
        (Whose::PeerEnd { sock: Some(sock) }, false) => format!("the peer's end of sock {sock}"),
        (Whose::PeerEnd { sock: Some(sock) }, true) => format!("套接字{sock}的对端"),
        (Whose::PeerEnd { sock: None }, false) => "the peer's end".into(),
        (Whose::PeerEnd { sock: None }, true) => "对端".into(),
    };
    let name = |s: Option<TcpState>, none: &'static str| s.map_or(none, TcpState::name);
    if zh {
        let (from, to) = (name(t.from, "（新建）"), name(t.to, "（消失）"));
        format!(
            "内核自己把{whose}（{} <-> {}）从{from}变为{to}：不是本程序的任何调用造成的。",
            t.local, t.peer
        )
    } else {
        let (from, to) = (name(t.from, "(new)"), name(t.to, "(gone)"));
        format!(
            "The kernel moved {whose}, {} <-> {}, from {from} to {to} by itself: no call of this \
             program did it.",
            t.local, t.peer
        )
    }
}

/// `[English, Chinese]` for the state reached (`None`: the socket is gone).
#[expect(
    clippy::too_many_lines,
    reason = "a phrase table: one arm per TCP state, both languages side by side, read as one"
)]
fn words(to: Option<TcpState>, queued: bool) -> [Words; 2] {
    match to {
        None => [
            w("The kernel has forgotten the socket: the connection is gone for good.", None),
            w("内核已经忘记了这个套接字：连接彻底结束。", None),
        ],
        Some(TcpState::SynSent) => [
            w(
                "SYN_SENT: connect() sent SYN and waits for the server's SYN-ACK. When the \
                 accept queue is full, new clients wait here.",
                None,
            ),
            w(
                "SYN_SENT：connect()已发送SYN，正在等待服务器的SYN-ACK。accept队列满时，新的\
                 客户端会停在这里。",
                None,
            ),
        ],
        Some(TcpState::SynRecv | TcpState::NewSynRecv) => [
            w(
                "SYN_RECV: the server's kernel received SYN and answered SYN-ACK; it waits for \
                 the client's ACK. No call is needed: the kernel does the handshake.",
                None,
            ),
            w(
                "SYN_RECV：服务器的内核收到了SYN并回复了SYN-ACK，正在等待客户端的ACK。这一步\
                 不需要任何调用：三次握手由内核完成。",
                None,
            ),
        ],
        Some(TcpState::Established) if queued => [
            w(
                "ESTABLISHED, queued: the handshake is done and the connection waits in the \
                 accept queue until accept() takes it.",
                Some("accept() takes it; the listen backlog limits how many can wait."),
            ),
            w(
                "ESTABLISHED（排队中）：三次握手已完成，连接在accept队列中等待，直到accept()把\
                 它取走。",
                Some("accept()会取走它；listen的backlog限制了最多能排队多少个。"),
            ),
        ],
        Some(TcpState::Established) => [
            w("ESTABLISHED: the three-way handshake is complete; data can flow both ways.", None),
            w("ESTABLISHED：三次握手完成，双方可以收发数据。", None),
        ],
        Some(TcpState::CloseWait) => [
            w(
                "CLOSE_WAIT: the peer sent FIN (it closed, or shut down sending); recv() returns \
                 b''. The kernel waits for this program to close() too.",
                Some(
                    "Call close() once you have read everything: sockets left in CLOSE_WAIT leak.",
                ),
            ),
            w(
                "CLOSE_WAIT：对方发来了FIN（它关闭了连接或关闭了发送方向），recv()会返回b''。\
                 内核在等本程序也调用close()。",
                Some("读完数据后调用close()：一直停在CLOSE_WAIT的套接字会泄漏。"),
            ),
        ],
        Some(TcpState::LastAck) => [
            w(
                "LAST_ACK: this end closed after the peer did; its FIN is sent and it waits for \
                 the peer's last ACK.",
                None,
            ),
            w("LAST_ACK：对方先关闭，本端随后关闭；本端的FIN已发出，正在等对方最后的ACK。", None),
        ],
        Some(TcpState::FinWait1) => [
            w(
                "FIN_WAIT1: this end closed (or shut down sending) and sent FIN; it waits for \
                 the peer to acknowledge it.",
                None,
            ),
            w("FIN_WAIT1：本端已关闭（或关闭了发送方向）并发送了FIN，正在等对方确认。", None),
        ],
        Some(TcpState::FinWait2) => [
            w(
                "FIN_WAIT2: the peer acknowledged our FIN; the kernel now waits for the peer's \
                 own FIN. The peer may still send data.",
                None,
            ),
            w(
                "FIN_WAIT2：对方已确认我们的FIN，内核正在等对方自己的FIN。对方仍然可以发送数据。",
                None,
            ),
        ],
        Some(TcpState::TimeWait) => [
            w(
                "TIME_WAIT: both sides have closed. The end that closed first waits here (60 s \
                 on Linux) so that late packets die out and the last ACK can be sent again.",
                Some(
                    "This is why a restarted server may meet EADDRINUSE: SO_REUSEADDR lets it \
                     bind anyway.",
                ),
            ),
            w(
                "TIME_WAIT：双方都已关闭。先关闭的一端在这里等待（Linux上为60秒），让迟到的数据\
                 包消失，并在需要时重发最后的ACK。",
                Some("这就是重启的服务器可能遇到EADDRINUSE的原因：设置SO_REUSEADDR后仍可绑定。"),
            ),
        ],
        Some(TcpState::Closing) => [
            w(
                "CLOSING: both ends sent FIN at the same time; each waits for the other's ACK.",
                None,
            ),
            w("CLOSING：双方同时发送了FIN，各自在等对方的ACK。", None),
        ],
        Some(TcpState::Listen) => [
            w("LISTEN: the socket waits for connections.", None),
            w("LISTEN：套接字正在等待连接。", None),
        ],
        Some(TcpState::Close | TcpState::Other(_)) => {
            [w("The connection is closed.", None), w("连接已关闭。", None)]
        }
    }
}
