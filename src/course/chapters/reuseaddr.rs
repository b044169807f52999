//! Chapter 6: `TIME_WAIT` holds the port of the side that closed first; a
//! server restarted on it needs `SO_REUSEADDR`.

use super::streams::CONNECT;
use crate::course::{Chapter, Start, Step, t};

pub const CHAPTER: Chapter = Chapter {
    number: 6,
    slug: "reuseaddr",
    title: t(
        "TIME_WAIT and SO_REUSEADDR: restarting a server",
        "TIME_WAIT 与 SO_REUSEADDR：重启服务器",
    ),
    goal: t(
        "The side that closes first keeps TIME_WAIT on its port: binding it again fails with EADDRINUSE unless SO_REUSEADDR was set from the start.",
        "先关闭的一方在它的端口上保持 TIME_WAIT：再次 bind 会因 EADDRINUSE 失败，除非一开始就设置了 SO_REUSEADDR。",
    ),
    setup: &["demo", "tcp", "--step"],
    start: Start::Server,
    second: None,
    steps: &[
        CONNECT,
        Step {
            label: t("the server closes the connection first", "服务器先关闭连接"),
            text: t(
                "close() on the accepted socket: the server's side sends the first FIN.",
                "在 accept 得到的套接字上 close()：服务器一方先发出 FIN。",
            ),
            hints: &[t("On the server: /close.", "在服务器端：/close。")],
            check: "server call close ok",
        },
        Step {
            label: t("the client closes too", "客户端也关闭"),
            text: t("The client answers with its own FIN.", "客户端用自己的 FIN 回答。"),
            hints: &[t("F2, then /close.", "按 F2，然后 /close。")],
            check: "client call close ok",
        },
        Step {
            label: t(
                "the server's old connection waits in TIME_WAIT",
                "服务器的旧连接在 TIME_WAIT 中等待",
            ),
            text: t(
                "No fd is left, but the kernel keeps the server's end for 60 s, on the server's port.",
                "已经没有 fd 了，但内核在服务器的端口上把服务器这一端保留 60 秒。",
            ),
            hints: &[t(
                "Nothing to type: the Lifecycle's kernel lines show it.",
                "不用输入：Lifecycle 里的 kernel 行会显示它。",
            )],
            check: "server state TIME_WAIT",
        },
        Step {
            label: t("stop the server: close the listener", "停止服务器：关闭监听套接字"),
            text: t(
                "As if the server program stopped: its listening socket closes.",
                "就像服务器程序停止了：它的监听套接字关闭。",
            ),
            hints: &[t("F2, then /close.", "按 F2，然后 /close。")],
            check: "server call close ok",
        },
        Step {
            label: t("restart it on the same port: EADDRINUSE", "在同一端口重启：EADDRINUSE"),
            text: t(
                "A new socket binding port {port} fails: the TIME_WAIT connection still holds it.",
                "新的套接字 bind 端口 {port} 会失败：TIME_WAIT 的连接还占着它。",
            ),
            hints: &[t(
                "/socket, then /bind 127.0.0.1:{port}.",
                "/socket，然后 /bind 127.0.0.1:{port}。",
            )],
            check: "server call bind err EADDRINUSE",
        },
        Step {
            label: t("SO_REUSEADDR now is too late", "现在才设置 SO_REUSEADDR 已经太晚"),
            text: t(
                "Still refused: on Linux the TIME_WAIT socket must allow reuse too, and it took the old listener's options (no SO_REUSEADDR).",
                "仍然被拒绝：在 Linux 上 TIME_WAIT 的套接字也必须允许重用，而它继承了旧监听套接字的选项（没有 SO_REUSEADDR）。",
            ),
            hints: &[t(
                "/setsockopt reuseaddr 1, then /bind 127.0.0.1:{port}.",
                "/setsockopt reuseaddr 1，然后 /bind 127.0.0.1:{port}。",
            )],
            check: "server call bind err EADDRINUSE",
        },
        Step {
            label: t(
                "a server with SO_REUSEADDR from the start",
                "一开始就设置 SO_REUSEADDR 的服务器",
            ),
            text: t(
                "This socket has SO_REUSEADDR before its bind: bind it to a fresh port and listen, as every Python server should.",
                "这个套接字在 bind 之前就有 SO_REUSEADDR：把它绑定到新端口并监听，每个 Python 服务器都应该这样做。",
            ),
            hints: &[t("/bind, then /listen 5.", "/bind，然后 /listen 5。")],
            check: "server call listen ok",
        },
        Step {
            label: t("a connection, closed by the server first", "一个连接，由服务器先关闭"),
            text: t(
                "The same dance again: the accepted socket inherits SO_REUSEADDR, and so does its TIME_WAIT.",
                "再来一遍：accept 得到的套接字继承了 SO_REUSEADDR，它的 TIME_WAIT 也一样。",
            ),
            hints: &[t(
                "F2, /socket, /connect; F2, /accept, /close; F2, /close.",
                "F2，/socket，/connect；F2，/accept，/close；F2，/close。",
            )],
            check: "client call close ok",
        },
        Step {
            label: t("stop this server too", "也停止这个服务器"),
            text: t(
                "Close the listener: its port is held by a TIME_WAIT again.",
                "关闭监听套接字：它的端口又被一个 TIME_WAIT 占着。",
            ),
            hints: &[t("F2, then /close.", "按 F2，然后 /close。")],
            check: "server call close ok",
        },
        Step {
            label: t(
                "restart with SO_REUSEADDR: the bind succeeds",
                "带 SO_REUSEADDR 重启：bind 成功",
            ),
            text: t(
                "Both sides allow reuse now: the new server binds port {port} at once, without waiting a minute.",
                "现在双方都允许重用：新服务器立刻绑定端口 {port}，不用等一分钟。",
            ),
            hints: &[t(
                "/socket, /setsockopt reuseaddr 1, /bind 127.0.0.1:{port}.",
                "/socket，/setsockopt reuseaddr 1，/bind 127.0.0.1:{port}。",
            )],
            check: "server call bind ok",
        },
    ],
};
