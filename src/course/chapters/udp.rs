//! Chapter 7: UDP: no connection, sendto/recvfrom, boundaries kept,
//! truncation, and ECONNREFUSED only on a connected socket.

use crate::course::{Chapter, Start, Step, t};

pub const CHAPTER: Chapter = Chapter {
    number: 7,
    slug: "udp",
    title: t("UDP: sendto, recvfrom, datagrams", "UDP：sendto、recvfrom、数据报"),
    goal: t(
        "UDP sends datagrams: each arrives whole or not at all, to whoever is bound, with no connection.",
        "UDP 发送数据报：每个数据报要么完整到达，要么丢失；没有连接，发给绑定的一方。",
    ),
    setup: &["demo", "udp", "--step"],
    start: Start::Server,
    second: None,
    steps: &[
        Step {
            label: t("bind the server's socket", "绑定服务器的套接字"),
            text: t(
                "A UDP server is socket and bind: nothing else.",
                "UDP 服务器只需要 socket 和 bind。",
            ),
            hints: &[t("/socket, then /bind.", "/socket，然后 /bind。")],
            check: "server call bind ok",
        },
        Step {
            label: t("try listen(): UDP has none", "试试 listen()：UDP 没有它"),
            text: t(
                "There is no connection to wait for: listen() on a datagram socket raises OSError EOPNOTSUPP.",
                "没有连接可等：在数据报套接字上 listen() 会抛出 OSError EOPNOTSUPP。",
            ),
            hints: &[t("/listen 5.", "/listen 5。")],
            check: "server call listen err EOPNOTSUPP",
        },
        Step {
            label: t("the client sends a datagram", "客户端发送一个数据报"),
            text: t(
                "sendto() names the address each time; the kernel binds the client to a free port on the first one.",
                "sendto() 每次都指明地址；第一次发送时内核给客户端绑定一个空闲端口。",
            ),
            hints: &[t("F2, /socket, then /sendto hello.", "按 F2，/socket，然后 /sendto hello。")],
            check: "client call sendto ok",
        },
        Step {
            label: t("recvfrom: the data and who sent it", "recvfrom：数据和发送者"),
            text: t(
                "recvfrom() returns (data, address): the address is how a server answers.",
                "recvfrom() 返回 (data, address)：服务器靠这个地址回复。",
            ),
            hints: &[t("F2, then /recvfrom 1024.", "按 F2，然后 /recvfrom 1024。")],
            check: "server call recvfrom bytes 5",
        },
        Step {
            label: t("a small recvfrom truncates", "小的 recvfrom 会截断"),
            text: t(
                "Send ten bytes and take four: the other six are gone for good (MSG_TRUNC). Only TCP splits data over calls.",
                "发送十个字节、只收四个：另外六个永远丢失（MSG_TRUNC）。只有 TCP 会把数据分到多次调用里。",
            ),
            hints: &[t(
                "F2, /sendto 0123456789; F2, /recvfrom 4.",
                "F2，/sendto 0123456789；F2，/recvfrom 4。",
            )],
            check: "server call recvfrom truncated",
        },
        Step {
            label: t("two datagrams stay two", "两个数据报仍然是两个"),
            text: t(
                "Send ab and cd, then recvfrom: it returns ab alone. Datagrams keep their boundaries.",
                "发送 ab 和 cd，再 recvfrom：只返回 ab。数据报保留边界。",
            ),
            hints: &[t(
                "F2, /sendto ab, /sendto cd; F2, /recvfrom 1024.",
                "F2，/sendto ab，/sendto cd；F2，/recvfrom 1024。",
            )],
            check: "server call recvfrom bytes 2",
        },
        Step {
            label: t("refused: only on a connected socket", "被拒绝：只在已连接的套接字上"),
            text: t(
                "Close the server, connect the client (UDP connect only sets the default address), send, then recv: the kernel's ICMP port unreachable becomes ConnectionRefusedError.",
                "关闭服务器，让客户端 connect（UDP 的 connect 只设定默认地址），send，再 recv：内核收到的 ICMP 端口不可达变成 ConnectionRefusedError。",
            ),
            hints: &[
                t(
                    "An unconnected socket never hears of the ICMP error.",
                    "未连接的套接字永远收不到这个 ICMP 错误。",
                ),
                t(
                    "/close; F2, /connect, /send hi, /recv 1024.",
                    "/close；F2，/connect，/send hi，/recv 1024。",
                ),
            ],
            check: "client call * err ECONNREFUSED",
        },
    ],
};
