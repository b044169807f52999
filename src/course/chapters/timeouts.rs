//! Chapter 8: timeouts and non-blocking sockets.

use super::streams::CONNECT;
use crate::course::{Chapter, Start, Step, t};

pub const CHAPTER: Chapter = Chapter {
    number: 8,
    slug: "timeouts",
    title: t(
        "Timeouts and non-blocking: settimeout, setblocking",
        "超时与非阻塞：settimeout、setblocking",
    ),
    goal: t(
        "A blocking call waits; settimeout bounds the wait (TimeoutError); setblocking(False) never waits (BlockingIOError).",
        "阻塞调用会等待；settimeout 限制等待时间（TimeoutError）；setblocking(False) 从不等待（BlockingIOError）。",
    ),
    setup: &["demo", "tcp", "--step"],
    start: Start::Server,
    second: None,
    steps: &[
        CONNECT,
        Step {
            label: t("set a one-second timeout", "设置一秒超时"),
            text: t(
                "settimeout(1) makes every blocking call of this socket give up after a second.",
                "settimeout(1) 让这个套接字的每个阻塞调用在一秒后放弃。",
            ),
            hints: &[t("On the server: /settimeout 1.", "在服务器端：/settimeout 1。")],
            check: "server call settimeout ok",
        },
        Step {
            label: t("recv with nothing to read: TimeoutError", "没有数据时 recv：TimeoutError"),
            text: t(
                "The client sends nothing: after a second recv raises TimeoutError: timed out.",
                "客户端什么也不发：一秒后 recv 抛出 TimeoutError: timed out。",
            ),
            hints: &[t("/recv 1024, and wait a second.", "/recv 1024，然后等一秒。")],
            check: "server call recv err TimeoutError",
        },
        Step {
            label: t("make the socket non-blocking", "把套接字设为非阻塞"),
            text: t(
                "setblocking(False) is settimeout(0.0): a call either succeeds at once or raises.",
                "setblocking(False) 就是 settimeout(0.0)：调用要么立刻成功，要么抛出异常。",
            ),
            hints: &[t("/setblocking 0.", "/setblocking 0。")],
            check: "server call setblocking ok",
        },
        Step {
            label: t("recv at once: BlockingIOError", "立刻 recv：BlockingIOError"),
            text: t(
                "Nothing is queued, so recv raises BlockingIOError: [Errno 11] at once.",
                "队列里什么也没有，recv 立刻抛出 BlockingIOError: [Errno 11]。",
            ),
            hints: &[t("/recv 1024.", "/recv 1024。")],
            check: "server call recv err EAGAIN",
        },
        Step {
            label: t("data there: recv succeeds at once", "有数据时：recv 立刻成功"),
            text: t(
                "Once bytes are queued, a non-blocking recv returns them.",
                "字节一旦在队列里，非阻塞的 recv 就会返回它们。",
            ),
            hints: &[t("F2, /send hi; F2, /recv 1024.", "F2，/send hi；F2，/recv 1024。")],
            check: "server call recv bytes 2",
        },
    ],
};
