//! Chapter 1: a TCP server, call by call; a client waits in the accept
//! queue until the server calls `accept()`.

use crate::course::{Chapter, Start, Step, t};

pub const CHAPTER: Chapter = Chapter {
    number: 1,
    slug: "tcp-server",
    title: t(
        "A TCP server: socket, bind, listen, accept",
        "TCP 服务器：socket、bind、listen、accept",
    ),
    goal: t(
        "A client waits in the accept queue until you call accept().",
        "客户端在 accept 队列里等待，直到你调用 accept()。",
    ),
    setup: &["demo", "tcp", "--step"],
    start: Start::Server,
    second: None,
    steps: &[
        Step {
            label: t("make the server's socket", "创建服务器的套接字"),
            text: t(
                "A socket is the kernel's end of a conversation; Python gives you an object for it.",
                "套接字是内核里通信的一端；Python 用一个对象来代表它。",
            ),
            hints: &[
                t(
                    "socket.socket() makes one: AF_INET, SOCK_STREAM is TCP.",
                    "socket.socket() 创建它：AF_INET、SOCK_STREAM 就是 TCP。",
                ),
                t("On the server: /socket.", "在服务器端：/socket。"),
            ],
            check: "server call socket ok",
        },
        Step {
            label: t("bind it to an address", "绑定到一个地址"),
            text: t(
                "bind() names the socket: the address and port clients will use.",
                "bind() 给套接字一个名字：客户端要用的地址和端口。",
            ),
            hints: &[
                t(
                    "A server binds before it listens; without an address /bind takes the demo's, with a free port.",
                    "服务器先 bind 再 listen；不给地址时 /bind 使用演示的地址和一个空闲端口。",
                ),
                t("Type: /bind.", "输入：/bind。"),
            ],
            check: "server call bind ok",
        },
        Step {
            label: t("listen for clients", "开始监听"),
            text: t(
                "listen(5) makes it a listening socket: the kernel now completes handshakes for it.",
                "listen(5) 让它成为监听套接字：内核从此替它完成握手。",
            ),
            hints: &[
                t(
                    "The number is the backlog: connections the kernel queues.",
                    "数字是 backlog：内核排队的连接数。",
                ),
                t("Type: /listen 5.", "输入：/listen 5。"),
            ],
            check: "server call listen ok",
        },
        Step {
            label: t(
                "a client connects: it waits in the accept queue",
                "客户端连接：它在 accept 队列里等待",
            ),
            text: t(
                "Go to the client end (F2) and connect. The server has not called accept(): watch the accept queue in its Socket pane.",
                "切换到客户端（F2）并连接。服务器还没有调用 accept()：看它 Socket 面板里的 accept 队列。",
            ),
            hints: &[
                t(
                    "The client needs its own socket, then connect().",
                    "客户端需要自己的套接字，然后 connect()。",
                ),
                t("F2, then /socket, then /connect.", "按 F2，然后输入 /socket，再输入 /connect。"),
            ],
            check: "server figure accept_queue >= 1",
        },
        Step {
            label: t("accept the client", "accept 这个客户端"),
            text: t(
                "accept() takes the first connection out of the queue and returns a new socket for it.",
                "accept() 从队列里取出第一个连接，并为它返回一个新的套接字。",
            ),
            hints: &[
                t(
                    "accept() is the server's call: go back to the server end.",
                    "accept() 是服务器的调用：回到服务器端。",
                ),
                t("F2, then /accept.", "按 F2，然后输入 /accept。"),
            ],
            check: "server call accept ok",
        },
    ],
};
