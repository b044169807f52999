//! Chapter 2: a TCP client; what `ECONNREFUSED` means, and `connect_ex`.

use crate::course::{Chapter, Start, Step, t};

pub const CHAPTER: Chapter = Chapter {
    number: 2,
    slug: "tcp-client",
    title: t(
        "A TCP client: connect, ECONNREFUSED, connect_ex",
        "TCP 客户端：connect、ECONNREFUSED、connect_ex",
    ),
    goal: t(
        "connect() to a port nobody listens on is refused at once; connect_ex() returns the errno instead of raising.",
        "connect() 到没有人监听的端口会立刻被拒绝；connect_ex() 返回错误号而不是抛出异常。",
    ),
    setup: &["demo", "tcp", "--step"],
    start: Start::Client,
    second: None,
    steps: &[
        Step {
            label: t("make the client's socket", "创建客户端的套接字"),
            text: t(
                "A client needs a socket too; it does not bind: connect() picks a port.",
                "客户端也需要套接字；它不用 bind：connect() 会选一个端口。",
            ),
            hints: &[t("On the client: /socket.", "在客户端：/socket。")],
            check: "client call socket ok",
        },
        Step {
            label: t("connect where nobody listens", "连接到没有人监听的地方"),
            text: t(
                "Nothing listens on port 9: the kernel answers the SYN with a RST and connect() raises ConnectionRefusedError.",
                "9 号端口没有人监听：内核用 RST 回答 SYN，connect() 抛出 ConnectionRefusedError。",
            ),
            hints: &[
                t(
                    "Give connect() an address: 127.0.0.1, port 9.",
                    "给 connect() 一个地址：127.0.0.1，端口 9。",
                ),
                t("Type: /connect 127.0.0.1:9.", "输入：/connect 127.0.0.1:9。"),
            ],
            check: "client call connect err ECONNREFUSED",
        },
        Step {
            label: t("the same with connect_ex", "用 connect_ex 再试一次"),
            text: t(
                "connect_ex() makes the same call but returns the errno (111 is ECONNREFUSED) instead of raising.",
                "connect_ex() 做同样的调用，但返回错误号（111 就是 ECONNREFUSED），而不是抛出异常。",
            ),
            hints: &[t("Type: /connect_ex 127.0.0.1:9.", "输入：/connect_ex 127.0.0.1:9。")],
            check: "client call connect_ex returns 111",
        },
        Step {
            label: t("start a server", "启动一个服务器"),
            text: t(
                "Now give the client someone to talk to: make the server listen (F2 goes to the server end).",
                "现在给客户端一个通信对象：让服务器开始监听（F2 切换到服务器端）。",
            ),
            hints: &[
                t("A server is socket, bind, listen.", "服务器就是 socket、bind、listen。"),
                t("F2, then /socket, /bind, /listen 5.", "按 F2，然后 /socket、/bind、/listen 5。"),
            ],
            check: "server event listening",
        },
        Step {
            label: t("connect_ex to the server: 0", "connect_ex 到服务器：返回 0"),
            text: t(
                "The same socket may try again after a refusal. connect_ex() returns 0 when it connects.",
                "被拒绝之后，同一个套接字可以再试。连接成功时 connect_ex() 返回 0。",
            ),
            hints: &[
                t(
                    "Back to the client; without an address it goes to the demo's server.",
                    "回到客户端；不给地址就连接演示的服务器。",
                ),
                t("F2, then /connect_ex.", "按 F2，然后 /connect_ex。"),
            ],
            check: "client call connect_ex returns 0",
        },
        Step {
            label: t("ask who the peer is", "查看对端是谁"),
            text: t(
                "getpeername() returns the server's address: the connection is made.",
                "getpeername() 返回服务器的地址：连接已经建立。",
            ),
            hints: &[t("Type: /getpeername.", "输入：/getpeername。")],
            check: "client call getpeername ok",
        },
        Step {
            label: t("the server accepts it", "服务器 accept 它"),
            text: t(
                "connect_ex() returned 0 before the server did anything: the kernel finished the handshake and queued the connection. accept() hands it to the server.",
                "服务器什么都还没做，connect_ex() 就返回了 0：内核完成了握手并把连接排进队列。accept() 把它交给服务器。",
            ),
            hints: &[t("F2, then /accept.", "按 F2，然后 /accept。")],
            check: "server call accept ok",
        },
    ],
};
