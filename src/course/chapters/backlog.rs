//! Chapter 3: the backlog. `listen(1)` and three clients from a second
//! terminal: Linux queues backlog + 1 finished handshakes (two here) and
//! drops the third client's SYN, which stays in `SYN_SENT` and retries until
//! an `accept()` makes room. Checked on the kernel's own lists (`sock_diag`):
//! the queued connections and the client end in `SYN_SENT`.
//!
//! The server runs on the host's network (`tcp server`, not the demo's
//! namespace), so the second terminal's command reaches it as it is.

use crate::course::{Chapter, Start, Step, t};

/// The three clients: blocking connects in a row, so the third one hangs
/// in `connect()` (`SYN_SENT`) until the server accepts one.
const CLIENTS: &str = "python3 -c \"import socket; c=[socket.create_connection(('127.0.0.1', {port})) for i in range(3)]; input('3 connected')\"";

/// The hint of the step the second terminal does (the tmux test runs the
/// chapter's `second` command when a hint says "second terminal").
const RUN_SECOND: [crate::course::Text; 1] = [t(
    "Run the line after \"In a second terminal\" in another terminal.",
    "在另一个终端里运行“在第二个终端运行”后面的那一行。",
)];

pub const CHAPTER: Chapter = Chapter {
    number: 3,
    slug: "backlog",
    title: t(
        "The backlog: listen(1), three clients, two queued",
        "backlog：listen(1)、三个客户端、两个排队",
    ),
    goal: t(
        "Until accept() the kernel finishes handshakes by itself and queues them: with listen(1) Linux queues two, and a third client waits in SYN_SENT.",
        "在 accept() 之前内核自己完成握手并把连接排队：listen(1) 时 Linux 排两个，第三个客户端停在 SYN_SENT。",
    ),
    setup: &["tcp", "server", "127.0.0.1:0", "--step"],
    start: Start::Server,
    second: Some(t(CLIENTS, CLIENTS)),
    steps: &[
        Step {
            label: t("a server with a backlog of 1", "backlog 为 1 的服务器"),
            text: t(
                "socket, bind, then listen(1): the number is how many finished connections may wait for accept().",
                "socket、bind，然后 listen(1)：这个数字是可以等待 accept() 的已完成连接数。",
            ),
            hints: &[
                t(
                    "The same server as chapter 1, with 1 instead of 5.",
                    "和第 1 课一样的服务器，只是把 5 换成 1。",
                ),
                t("/socket, /bind, /listen 1.", "/socket，/bind，/listen 1。"),
            ],
            check: "server call listen ok",
        },
        Step {
            label: t("three clients connect: two are queued", "三个客户端连接：两个在排队"),
            text: t(
                "Start three clients from a second terminal. Nobody calls accept(), yet the kernel completes two handshakes: the accept queue shows 2 of backlog 1 (Linux allows backlog + 1).",
                "在第二个终端启动三个客户端。没有人调用 accept()，内核却完成了两次握手：accept 队列显示 2（backlog 为 1；Linux 允许 backlog + 1 个）。",
            ),
            hints: &RUN_SECOND,
            check: "server figure accept_queue >= 2",
        },
        Step {
            label: t("the third client waits in SYN_SENT", "第三个客户端停在 SYN_SENT"),
            text: t(
                "The queue is full, so the kernel drops the third SYN: that client stays in SYN_SENT, its connect() blocked, and sends its SYN again after 1 s, 3 s, 7 s...",
                "队列满了，内核丢掉第三个 SYN：那个客户端停在 SYN_SENT，它的 connect() 阻塞着，并在 1 秒、3 秒、7 秒……后重发 SYN。",
            ),
            hints: &[t(
                "Nothing to type: the Lifecycle's kernel lines list it.",
                "不用输入：Lifecycle 里的 kernel 行会列出它。",
            )],
            check: "client state SYN_SENT",
        },
        Step {
            label: t("accept the first client", "accept 第一个客户端"),
            text: t(
                "accept() takes the oldest connection out of the queue: there is room again, and the third client's next SYN gets in.",
                "accept() 从队列里取出最早的连接：队列又有空位了，第三个客户端下一次重发的 SYN 就能进来。",
            ),
            hints: &[t("Type: /accept.", "输入：/accept。")],
            check: "server call accept ok",
        },
        Step {
            label: t("accept the second", "accept 第二个"),
            text: t(
                "The second one was queued all along: accept() returns at once.",
                "第二个一直在排队：accept() 立刻返回。",
            ),
            hints: &[t("Type: /accept.", "输入：/accept。")],
            check: "server call accept ok",
        },
        Step {
            label: t("accept the third", "accept 第三个"),
            text: t(
                "The third gets in with its next SYN: accept() may block until it does (a second or a few). The second terminal then prints \"3 connected\" (Enter there closes them).",
                "第三个随下一次重发的 SYN 进来：accept() 可能阻塞到那时（一秒或几秒）。然后第二个终端打印 \"3 connected\"（在那里按 Enter 关闭它们）。",
            ),
            hints: &[t("Type: /accept.", "输入：/accept。")],
            check: "server call accept ok",
        },
    ],
};
