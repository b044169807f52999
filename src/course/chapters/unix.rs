//! Chapter 10: the same server over `AF_UNIX`: a socket file instead of a
//! port, a client from a second terminal, and the file a closed server
//! leaves behind (a stale file: `EADDRINUSE` to bind, `ECONNREFUSED` to
//! connect, until it is removed).

use crate::course::{Chapter, Start, Step, t};

/// The socket file, relative: it lands in the directory `sockpit learn` runs
/// in, where the second terminal's commands find it too.
pub const PATH: &str = "learn.sock";

pub const CHAPTER: Chapter = Chapter {
    number: 10,
    slug: "unix",
    title: t(
        "AF_UNIX: the same server over a socket file",
        "AF_UNIX：通过套接字文件的同一个服务器",
    ),
    goal: t(
        "A Unix socket is named by a file; closing the server leaves the file behind (a stale file): bind says EADDRINUSE and connect ECONNREFUSED until you remove it.",
        "Unix 套接字用一个文件命名；关闭服务器后文件仍然留着（失效的文件）：在删除它之前，bind 报 EADDRINUSE，connect 报 ECONNREFUSED。",
    ),
    setup: &["unix", "server", PATH, "--step"],
    start: Start::Server,
    second: Some(t(
        "cd to this directory, then socat - UNIX-CONNECT:learn.sock (or nc -U learn.sock)",
        "进入这个目录，然后运行 socat - UNIX-CONNECT:learn.sock（或 nc -U learn.sock）",
    )),
    steps: &[
        Step {
            label: t("make an AF_UNIX socket", "创建一个 AF_UNIX 套接字"),
            text: t(
                "The same calls as a TCP server, with another family: AF_UNIX talks only to this machine, through the file system.",
                "调用和 TCP 服务器一样，只是地址族不同：AF_UNIX 只在本机通信，通过文件系统。",
            ),
            hints: &[
                t(
                    "socket.socket(socket.AF_UNIX, socket.SOCK_STREAM): this end is a Unix server, so /socket makes one.",
                    "socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)：这一端是 Unix 服务器，所以 /socket 就创建它。",
                ),
                t("Type: /socket.", "输入：/socket。"),
            ],
            check: "server call socket ok",
        },
        Step {
            label: t("bind it to a socket file", "把它绑定到一个套接字文件"),
            text: t(
                "The address is a path: bind('learn.sock') creates the file (ls -l shows its type as s). If bind says EADDRINUSE, an earlier run left the file: that is step 8's stale file; rm learn.sock and bind again.",
                "地址是一个路径：bind('learn.sock') 创建这个文件（ls -l 显示它的类型是 s）。如果 bind 报 EADDRINUSE，说明之前的运行留下了文件：这就是第 8 步的失效文件；rm learn.sock 后再 bind。",
            ),
            hints: &[
                t(
                    "Without an argument /bind takes this end's path, learn.sock.",
                    "不带参数时，/bind 使用这一端的路径 learn.sock。",
                ),
                t("Type: /bind.", "输入：/bind。"),
            ],
            check: "server call bind ok",
        },
        Step {
            label: t("listen", "开始监听"),
            text: t(
                "listen(5): clients may now connect to the file.",
                "listen(5)：客户端现在可以连接这个文件了。",
            ),
            hints: &[t("Type: /listen 5.", "输入：/listen 5。")],
            check: "server call listen ok",
        },
        Step {
            label: t("a client connects from a second terminal", "客户端从第二个终端连接"),
            text: t(
                "Open a second terminal in this directory and connect with socat; then accept it here. The peer of a Unix client that never bound is '' (it has no name).",
                "在这个目录打开第二个终端，用 socat 连接；然后在这里 accept。从未 bind 的 Unix 客户端，对端地址是 ''（它没有名字）。",
            ),
            hints: &[
                t(
                    "socat connects to a socket file with UNIX-CONNECT:PATH (nc -U PATH does the same).",
                    "socat 用 UNIX-CONNECT:PATH 连接套接字文件（nc -U PATH 也一样）。",
                ),
                t(
                    "In the second terminal: `socat - UNIX-CONNECT:learn.sock`; then /accept.",
                    "在第二个终端：`socat - UNIX-CONNECT:learn.sock`；然后 /accept。",
                ),
            ],
            check: "server call accept ok",
        },
        Step {
            label: t("receive what the client types", "接收客户端输入的内容"),
            text: t(
                "Type a line in socat: the bytes wait in the receive queue until recv().",
                "在 socat 里输入一行：这些字节在接收队列里等待，直到 recv()。",
            ),
            hints: &[
                t(
                    "Type in the second terminal, then recv here.",
                    "在第二个终端输入，然后在这里 recv。",
                ),
                t(
                    "In the second terminal: `hello`; then /recv.",
                    "在第二个终端：`hello`；然后 /recv。",
                ),
            ],
            check: "server event data",
        },
        Step {
            label: t("close the connection", "关闭连接"),
            text: t(
                "close() on the accepted socket: socat sees the end and exits.",
                "在 accept 得到的套接字上 close()：socat 看到连接结束并退出。",
            ),
            hints: &[t("Type: /close.", "输入：/close。")],
            check: "server call close ok",
        },
        Step {
            label: t("stop the server: close the listener", "停止服务器：关闭监听套接字"),
            text: t(
                "As if the server program stopped. Python does not remove the socket file: ls -l learn.sock still shows it.",
                "就像服务器程序停止了。Python 不会删除套接字文件：ls -l learn.sock 仍然能看到它。",
            ),
            hints: &[t("Type: /close.", "输入：/close。")],
            check: "server call close ok",
        },
        Step {
            label: t("connect to the stale file: refused", "连接失效的文件：被拒绝"),
            text: t(
                "The file is there but nobody listens on it: connect() raises ConnectionRefusedError (socat says Connection refused too).",
                "文件还在，但没有人在它上面监听：connect() 抛出 ConnectionRefusedError（socat 也会报 Connection refused）。",
            ),
            hints: &[
                t(
                    "A new socket, then connect to the file; without an argument /connect takes learn.sock.",
                    "一个新的套接字，然后连接这个文件；不带参数时 /connect 使用 learn.sock。",
                ),
                t("Type: /socket, then /connect.", "输入：/socket，然后 /connect。"),
            ],
            check: "server call connect err ECONNREFUSED",
        },
        Step {
            label: t("bind to the stale file: EADDRINUSE", "bind 到失效的文件：EADDRINUSE"),
            text: t(
                "A restarted server cannot bind either: the path is taken by the file, whoever made it.",
                "重启的服务器也无法 bind：路径被这个文件占用了，不管它是谁创建的。",
            ),
            hints: &[t("Type: /bind.", "输入：/bind。")],
            check: "server call bind err EADDRINUSE",
        },
        Step {
            label: t("remove the file, bind again", "删除文件，再次 bind"),
            text: t(
                "Servers remove a stale file before they bind (os.unlink in Python; sockpit's own servers do it with --unlink). Remove it, then bind the same socket again.",
                "服务器在 bind 之前删除失效的文件（Python 里用 os.unlink；sockpit 自己的服务器用 --unlink）。删除它，然后让同一个套接字再次 bind。",
            ),
            hints: &[
                t(
                    "rm in the second terminal removes it (socat has exited).",
                    "在第二个终端用 rm 删除它（socat 已经退出了）。",
                ),
                t(
                    "In the second terminal: `rm learn.sock`; then /bind.",
                    "在第二个终端：`rm learn.sock`；然后 /bind。",
                ),
            ],
            check: "server call bind ok",
        },
        Step {
            label: t("listen: the server is back", "listen：服务器回来了"),
            text: t(
                "The new server listens on the same path; socat can connect again.",
                "新的服务器在同一个路径上监听；socat 又可以连接了。",
            ),
            hints: &[t("Type: /listen 5.", "输入：/listen 5。")],
            check: "server call listen ok",
        },
    ],
};
