//! Chapter 4: TCP is a byte stream: recv(4) splits a character, two sends
//! arrive as one recv, send returns a count.

use crate::course::{Chapter, Start, Step, t};

/// The first step of the chapters that need a connection to start with.
pub const CONNECT: Step = Step {
    label: t("connect the two ends", "连接两端"),
    text: t(
        "Make the server listen, the client connect, and the server accept (F2 switches ends; F8 makes the next call for you).",
        "让服务器监听、客户端连接、服务器 accept（F2 切换两端；F8 替你做下一个调用）。",
    ),
    hints: &[
        t(
            "Server: socket, bind, listen; client: socket, connect; server: accept.",
            "服务器：socket、bind、listen；客户端：socket、connect；服务器：accept。",
        ),
        t(
            "/socket, /bind, /listen 5; F2, /socket, /connect; F2, /accept.",
            "/socket、/bind、/listen 5；F2、/socket、/connect；F2、/accept。",
        ),
    ],
    check: "server call accept ok",
};

pub const CHAPTER: Chapter = Chapter {
    number: 4,
    slug: "streams",
    title: t(
        "Byte streams: recv(4), two sends, send vs sendall",
        "字节流：recv(4)、两次 send、send 与 sendall",
    ),
    goal: t(
        "TCP carries bytes, not messages: a recv takes what is there, up to its size, whatever the sends were.",
        "TCP 传的是字节而不是消息：recv 拿走已有的字节（最多它的大小），不管当初是几次 send。",
    ),
    setup: &["demo", "tcp", "--step"],
    start: Start::Server,
    second: None,
    steps: &[
        CONNECT,
        Step {
            label: t("the client sends 你好世界", "客户端发送 你好世界"),
            text: t(
                "Four characters, twelve bytes in UTF-8 (three each). sendall() sends every byte or raises.",
                "四个字符，UTF-8 编码是十二个字节（每个三字节）。sendall() 发送全部字节，否则抛出异常。",
            ),
            hints: &[t("F2, then /sendall 你好世界.", "按 F2，然后 /sendall 你好世界。")],
            check: "client call sendall ok",
        },
        Step {
            label: t(
                "twelve bytes wait in the server's receive queue",
                "十二个字节在服务器的接收队列里等待",
            ),
            text: t(
                "Nobody has called recv(): the bytes wait in the kernel (recv-q in the server's Socket pane).",
                "还没有人调用 recv()：字节在内核里等待（服务器 Socket 面板的 recv-q）。",
            ),
            hints: &[t("Go to the server end: F2.", "切换到服务器端：F2。")],
            check: "server figure recv_q >= 12",
        },
        Step {
            label: t("recv(4) splits a character", "recv(4) 切开了一个字符"),
            text: t(
                "recv(4) returns four bytes: 你 and the first byte of 好. Decoding them as UTF-8 would fail.",
                "recv(4) 返回四个字节：你 和 好 的第一个字节。把它们按 UTF-8 解码会失败。",
            ),
            hints: &[t("On the server: /recv 4.", "在服务器端：/recv 4。")],
            check: "server call recv bytes 4",
        },
        Step {
            label: t("recv the other eight", "收下另外八个字节"),
            text: t(
                "The rest of the stream is still queued: one recv takes it all.",
                "流的其余部分还在队列里：一次 recv 全部拿走。",
            ),
            hints: &[t("/recv 1024.", "/recv 1024。")],
            check: "server call recv bytes 8",
        },
        Step {
            label: t("send() returns a count", "send() 返回一个数字"),
            text: t(
                "send() may send only part and returns how many bytes the kernel took; sendall() loops until all are sent and returns None.",
                "send() 可能只发送一部分，返回内核收下的字节数；sendall() 循环直到全部发送，返回 None。",
            ),
            hints: &[t("F2, then /send ab.", "按 F2，然后 /send ab。")],
            check: "client call send returns 2",
        },
        Step {
            label: t("send again", "再发送一次"),
            text: t("A second send, before the server reads.", "在服务器读取之前，再发送一次。"),
            hints: &[t("/send cd.", "/send cd。")],
            check: "client call send returns 2",
        },
        Step {
            label: t("two sends, one recv", "两次 send，一次 recv"),
            text: t(
                "The server's recv gets abcd at once: TCP kept the bytes and their order, not the boundaries.",
                "服务器的 recv 一次拿到 abcd：TCP 保留了字节和顺序，没有保留边界。",
            ),
            hints: &[t("F2, then /recv 1024.", "按 F2，然后 /recv 1024。")],
            check: "server call recv bytes 4",
        },
    ],
};
