//! Chapter 9: the seed tutorial's socket-web.py by hand: accept curl's
//! connection, read its request, send an HTTP/1.0 response, close; curl in
//! a second terminal prints "Hello, World".
//!
//! The server runs on the host's network (`tcp server`, not the demo's
//! namespace), so curl reaches it from any terminal, as a browser would.

use crate::course::{Chapter, Start, Step, t};

/// The second terminal's command.
const CURL: &str = "curl http://127.0.0.1:{port}/";

pub const CHAPTER: Chapter = Chapter {
    number: 9,
    slug: "web",
    title: t(
        "socket-web.py: Hello, World over HTTP, by hand",
        "socket-web.py：亲手用 HTTP 发送 Hello, World",
    ),
    goal: t(
        "A web server is a TCP server: accept, recv the request, send a response, close. HTTP is only the text they exchange.",
        "Web 服务器就是 TCP 服务器：accept、recv 请求、send 响应、close。HTTP 只是它们交换的文本。",
    ),
    setup: &["tcp", "server", "127.0.0.1:0", "--step"],
    start: Start::Server,
    second: Some(t(CURL, CURL)),
    steps: &[
        Step {
            label: t("a listening server", "一个监听中的服务器"),
            text: t(
                "socket-web.py starts as every TCP server does: socket, bind, listen(5).",
                "socket-web.py 和所有 TCP 服务器一样开始：socket、bind、listen(5)。",
            ),
            hints: &[t("/socket, /bind, /listen 5.", "/socket，/bind，/listen 5。")],
            check: "server call listen ok",
        },
        Step {
            label: t(
                "curl connects: it waits in the accept queue",
                "curl 连接：它在 accept 队列里等待",
            ),
            text: t(
                "curl is the browser here. Run it in a second terminal: it connects, sends its request and waits for an answer.",
                "这里 curl 就是浏览器。在第二个终端运行它：它连接、发送请求，然后等待回答。",
            ),
            hints: &[t(
                "Run the line after \"In a second terminal\" in another terminal.",
                "在另一个终端里运行“在第二个终端运行”后面的那一行。",
            )],
            check: "server figure accept_queue >= 1",
        },
        Step {
            label: t("accept curl's connection", "accept curl 的连接"),
            text: t(
                "connection, address = sock.accept(), as in socket-web.py's loop.",
                "connection, address = sock.accept()，和 socket-web.py 的循环里一样。",
            ),
            hints: &[t("Type: /accept.", "输入：/accept。")],
            check: "server call accept ok",
        },
        Step {
            label: t("recv the request", "recv 请求"),
            text: t(
                "handle_request() reads first: recv(1024) returns curl's request, GET / HTTP/1.1 and its header lines, each ending in \\r\\n, then an empty line.",
                "handle_request() 先读：recv(1024) 返回 curl 的请求：GET / HTTP/1.1 和它的头部行，每行以 \\r\\n 结尾，最后是一个空行。",
            ),
            hints: &[t("Type: /recv 1024.", "输入：/recv 1024。")],
            check: "server call recv ok",
        },
        Step {
            label: t("send the response", "发送响应"),
            text: t(
                "A status line, an empty line, then the body. /esc sends bytes with \\r\\n written as escapes (Python's b'...\\r\\n').",
                "一个状态行、一个空行，然后是正文。/esc 发送字节，\\r\\n 用转义写出（就是 Python 的 b'...\\r\\n'）。",
            ),
            hints: &[
                t(
                    "HTTP/1.0 200 OK, then \\r\\n\\r\\n, then Hello, World: HTTP/1.0 needs no length, the close ends the body.",
                    "HTTP/1.0 200 OK，然后 \\r\\n\\r\\n，然后 Hello, World：HTTP/1.0 不需要长度，close 就是正文的结尾。",
                ),
                t(
                    "Type: /esc HTTP/1.0 200 OK\\r\\n\\r\\nHello, World",
                    "输入：/esc HTTP/1.0 200 OK\\r\\n\\r\\nHello, World",
                ),
            ],
            check: "server call sendall ok",
        },
        Step {
            label: t("close: curl prints Hello, World", "close：curl 打印 Hello, World"),
            text: t(
                "curl shows the body once the server closes the connection: that is how it knows the body is whole.",
                "服务器关闭连接后 curl 才显示正文：它由此知道正文完整了。",
            ),
            hints: &[t("Type: /close.", "输入：/close。")],
            check: "server call close ok",
        },
        Step {
            label: t("the server's end waits in TIME_WAIT", "服务器这一端在 TIME_WAIT 中等待"),
            text: t(
                "The server closed first, so its end of the connection is kept in TIME_WAIT (chapter 6): the listener serves the next request meanwhile.",
                "服务器先关闭，所以它这一端保持在 TIME_WAIT（第 6 课）；与此同时监听套接字可以服务下一个请求。",
            ),
            hints: &[t(
                "Nothing to type: the Lifecycle's kernel lines show it.",
                "不用输入：Lifecycle 里的 kernel 行会显示它。",
            )],
            check: "server state TIME_WAIT",
        },
    ],
};
