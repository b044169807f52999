//! Chapter 5: closing a connection, one direction at a time, and the
//! states the kernel goes through.

use super::streams::CONNECT;
use crate::course::{Chapter, Start, Step, t};

pub const CHAPTER: Chapter = Chapter {
    number: 5,
    slug: "closing",
    title: t(
        "Closing: shutdown, b'', CLOSE_WAIT, FIN_WAIT2, TIME_WAIT",
        "关闭：shutdown、b''、CLOSE_WAIT、FIN_WAIT2、TIME_WAIT",
    ),
    goal: t(
        "Each direction closes on its own: a FIN says \"no more from me\", and the kernel keeps the states in between.",
        "两个方向各自关闭：FIN 表示“我不再发送了”，内核记录中间的各个状态。",
    ),
    setup: &["demo", "tcp", "--step"],
    start: Start::Server,
    second: None,
    steps: &[
        CONNECT,
        Step {
            label: t("the client shuts down its sending side", "客户端关闭它的发送方向"),
            text: t(
                "shutdown(SHUT_WR) sends a FIN: the client will send no more, but can still receive (Alt-W shows the segments).",
                "shutdown(SHUT_WR) 发出 FIN：客户端不再发送，但仍然可以接收（Alt-W 显示报文段）。",
            ),
            hints: &[t("F2, then /shutdown wr.", "按 F2，然后 /shutdown wr。")],
            check: "client call shutdown ok",
        },
        Step {
            label: t("the client waits in FIN_WAIT2", "客户端处于 FIN_WAIT2"),
            text: t(
                "The server's kernel acknowledged the FIN: the client is in FIN_WAIT2, waiting for the server's own FIN.",
                "服务器的内核确认了 FIN：客户端处于 FIN_WAIT2，等待服务器自己的 FIN。",
            ),
            hints: &[t(
                "Nothing to type: watch the client's Socket pane (or its Lifecycle's kernel lines).",
                "不用输入：看客户端的 Socket 面板（或 Lifecycle 里的 kernel 行）。",
            )],
            check: "client state FIN_WAIT2",
        },
        Step {
            label: t("the server is in CLOSE_WAIT", "服务器处于 CLOSE_WAIT"),
            text: t(
                "The server has received the FIN but has not closed: CLOSE_WAIT lasts until its program calls close().",
                "服务器收到了 FIN 但还没有关闭：CLOSE_WAIT 一直持续到程序调用 close()。",
            ),
            hints: &[t(
                "Nothing to type: the Lifecycle's kernel lines show it.",
                "不用输入：Lifecycle 里的 kernel 行会显示它。",
            )],
            check: "server state CLOSE_WAIT",
        },
        Step {
            label: t("the server's recv returns b''", "服务器的 recv 返回 b''"),
            text: t(
                "An empty bytes object is how Python says end of stream: the peer will send no more.",
                "空的 bytes 对象是 Python 表示流结束的方式：对端不会再发送了。",
            ),
            hints: &[t("F2, then /recv 1024.", "按 F2，然后 /recv 1024。")],
            check: "server call recv eof",
        },
        Step {
            label: t("the server closes", "服务器关闭"),
            text: t(
                "close() sends the server's FIN (LAST_ACK until the client acknowledges it, a blink on loopback).",
                "close() 发出服务器的 FIN（在客户端确认之前是 LAST_ACK，在回环上一闪而过）。",
            ),
            hints: &[t("On the server: /close.", "在服务器端：/close。")],
            check: "server call close ok",
        },
        Step {
            label: t("the client's end waits in TIME_WAIT", "客户端在 TIME_WAIT 中等待"),
            text: t(
                "The side that closed first keeps TIME_WAIT for 60 s, so late segments of this connection find no new one.",
                "先关闭的一方在 TIME_WAIT 中保持 60 秒，让这个连接迟到的报文段不会落到新连接上。",
            ),
            hints: &[t(
                "Nothing to type: the kernel lines show it.",
                "不用输入：kernel 行会显示它。",
            )],
            check: "client state TIME_WAIT",
        },
    ],
};
