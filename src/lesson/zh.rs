//! The Chinese wording of the explanations, in the language of the Python
//! socket tutorial sockpit follows
//! and, where its reference table says it well, in its own words ("接受连接
//! 并返回（conn,address）", "如果设置False，那么accept和recv时一旦无数据，则
//! 报错"). Same facts as `en.rs`, said for a reader of the tutorial.

use crate::net::Addr;
use crate::python::Python as _;
use std::fmt::Write as _;

use super::explain::Fact;
use crate::net::{Call, CallError, Family, Kind, Shut, SockOpt};
use crate::python::addr;

/// What the call does, in general (with its arguments).
#[expect(clippy::too_many_lines, reason = "a phrase table: one arm per call, read as one")]
pub(super) fn what(call: &Call) -> String {
    match call {
        Call::Tls(call) => super::tls::what_zh(call),
        Call::Socket { family, kind } => {
            let family_means = match family {
                Family::Inet => "IPv4",
                Family::Inet6 => "IPv6",
                Family::Unix => "Unix域套接字（通信双方在同一台机器上，用文件路径命名）",
            };
            let kind_means = match (family, kind) {
                (Family::Unix, Kind::Stream) => "面向连接的可靠字节流",
                (Family::Unix, Kind::Dgram) => "一个个独立的数据报，发往有名字的套接字",
                (_, Kind::Stream) => "tcp连接通信（可靠的字节流）",
                (_, Kind::Dgram) => "基于udp协议通信（一个个独立的数据报，没有连接）",
                (_, Kind::SeqPacket) => "面向连接、保留消息边界的可靠有序传输",
            };
            format!(
                "创建socket对象（套接字），即网络通信的一端。{}表示{family_means}，{}表示\
                 {kind_means}。",
                family.python(),
                kind.python()
            )
        }
        Call::SetSockOpt(opt) => match opt {
            SockOpt::ReuseAddr(_) => {
                "设置SO_REUSEADDR：服务器重启后可以立即再次绑定同一端口，即使旧连接还处于\
                 TIME_WAIT状态。"
            }
            SockOpt::NoDelay(_) => {
                "设置TCP_NODELAY：小块数据立即发出，而不是先攒着合并再发（Nagle算法）。"
            }
            SockOpt::V6Only(_) => {
                "设置IPV6_V6ONLY：IPv6套接字只服务IPv6；不设置时，[::]也接受IPv4连接。"
            }
            SockOpt::LingerZero => {
                "设置SO_LINGER且超时为0：close()时用复位（RST）直接中止连接，而不是正常的FIN。"
            }
        }
        .into(),
        Call::Bind(a) => format!(
            "将套接字绑定到地址{}，即它使用的IP和端口。在AF_INET下，以元组（host,port）的形式\
             表示地址。服务器绑定了地址，客户端才知道去哪里找它；端口为0时由内核挑一个空闲端口。",
            addr(a)
        ),
        Call::Listen(n) => format!(
            "开始监听传入连接。backlog（{n}）指定内核已经接到、但服务器还没有调用accept处理的\
             连接个数最多是多少（三次握手已完成；Linux实际能容纳backlog + 1个）。"
        ),
        Call::Accept => "接受连接并返回（conn,address），其中conn是新的套接字对象，可以用来接收\
                         和发送数据，address是连接客户端的地址。如果没有连接过来（accept队列为\
                         空），程序处于阻塞状态。"
            .into(),
        Call::SetTimeout(None) => "值为None表示没有超时期：阻塞调用会一直等到完成为止。".into(),
        Call::SetTimeout(Some(t)) if *t <= 0.0 => "超时期为0相当于setblocking(False)：需要等待\
                                                   的调用会立即抛出BlockingIOError。"
            .into(),
        Call::SetTimeout(Some(t)) => format!(
            "设置套接字操作的超时期为{t}秒（connect、accept、recv、send）：等待超过这个时间就\
             抛出TimeoutError。"
        ),
        Call::SetBlocking(true) => "设置为阻塞模式（默认True）：accept、recv和connect会一直等\
                                    待，直到可以完成。"
            .into(),
        Call::SetBlocking(false) => "设置为非阻塞模式：accept和recv时一旦无数据，则立即报错\
                                     （BlockingIOError），而不是等待。"
            .into(),
        Call::Connect(a) => format!(
            "连接到{}处的套接字。TCP由内核完成三次握手（SYN、SYN-ACK、ACK）；UDP只是记下对端\
             地址，并不发送任何数据包。",
            addr(a)
        ),
        Call::ConnectEx(a) => format!(
            "同connect({})，只不过会有返回值：连接成功时返回0，连接失败时返回错误编码，而不是\
             抛出异常。",
            addr(a)
        ),
        Call::GetSockName => "返回套接字自己的地址，通常是一个元组(ipaddr,port)：绑定端口0或\
                              connect之后，可以从这里看到内核选的端口。"
            .into(),
        Call::GetPeerName => "返回连接套接字的远程地址。返回值通常是元组（ipaddr,port）。".into(),
        Call::Fileno => {
            "返回套接字的文件描述符：内核用来标识它的一个小整数（Unix中一切皆文件）。".into()
        }
        Call::Send { len } => format!(
            "将数据（{len}字节）发送到连接的套接字。返回值是实际发送的字节数量，该数量可能小于\
             数据的字节大小。"
        ),
        Call::SendAll { len } => format!(
            "将数据（{len}字节）发送到连接的套接字，但在返回之前会尝试发送所有数据（按需多次\
             调用send）。成功返回None，失败则抛出异常。"
        ),
        Call::SendTo { len, to } => format!(
            "将一个数据报（{len}字节）发送到{}，不需要连接。返回值是发送的字节数。该函数主要\
             用于UDP协议。",
            addr(to)
        ),
        Call::Recv { bufsize } => format!(
            "接收套接字的数据，以bytes形式返回，bufsize（{bufsize}）指定最多可以接收的字节数。\
             如果对方没有发送数据，recv处于阻塞状态；返回b''表示对方已关闭。"
        ),
        Call::RecvFrom { bufsize } => format!(
            "与recv({bufsize})类似，但返回值是（data,address），其中data是接收到的数据，address\
             是发送数据的套接字地址。每次调用取一个数据报。"
        ),
        Call::Shutdown(how) => match how {
            Shut::Write => {
                "关闭发送方向：TCP发送FIN，对方的recv()会返回b''。本端仍然可以接收数据。"
            }
            Shut::Read => "关闭接收方向：此后本套接字的recv()都返回b''。",
            Shut::Both => "同时关闭收发两个方向，但不关闭套接字本身。",
        }
        .into(),
        Call::Close => "关闭套接字，释放它的文件描述符。对于TCP连接，内核会发送FIN（还有未读数\
                        据时发送RST），之后的挥手过程由内核自己完成。"
            .into(),
    }
}

/// What a successful call returned, and a hint when one helps.
pub(super) fn returned(fact: &Fact) -> (String, Option<String>) {
    let text = match fact {
        Fact::NewSocket { fd } => {
            format!("新的套接字对象，文件描述符为{fd}；还没有绑定地址，也没有连接。")
        }
        Fact::Done => "None：设置已生效。".into(),
        Fact::Bound(a) => format!("None：套接字已占用{}。", addr(a)),
        Fact::Listening(n) => format!(
            "None：套接字开始监听。从现在起内核自己完成三次握手，并为accept()排队最多{n}个连接。"
        ),
        Fact::Connected(a) => {
            format!("None：已连接到{}；三次握手完成，双方可以收发数据。", addr(a))
        }
        Fact::Accepted { fd, peer } => format!(
            "新的套接字（fd {fd}），用来和{}处的客户端通信。监听套接字继续等待其他连接。",
            addr(peer)
        ),
        Fact::SentAll(len) => {
            format!("None：全部{len}字节已交给内核，由内核继续发送。这并不表示对方已经读到。")
        }
        Fact::Sent { n, len } if n == len => format!("{n}：内核接收了全部{n}字节。"),
        Fact::Sent { n, len } => {
            return (
                format!("{n}：{len}字节中只发送了{n}字节，发送缓冲区已满。"),
                Some("把剩下的数据再发一次，或者用sendall()，它会替你循环发送。".into()),
            );
        }
        Fact::SentDatagram { n, to } => {
            format!("{n}：一个{n}字节的数据报已发往{}。UDP不会告诉你对方是否收到。", addr(to))
        }
        Fact::Fileno(fd) => format!("{fd}：文件描述符。"),
        Fact::ConnectExOk => "0：连接成功。".into(),
        Fact::ConnectExErr(err) if err.is(libc::EINPROGRESS) => {
            return (
                format!(
                    "{}：EINPROGRESS，非阻塞连接已经开始，三次握手在后台进行。",
                    libc::EINPROGRESS
                ),
                Some("等套接字可写后再调用connect_ex：返回0或EISCONN表示已连接。".into()),
            );
        }
        Fact::ConnectExErr(err) => {
            let (cause, hint) =
                failed(&Call::ConnectEx(std::net::SocketAddr::from(([0, 0, 0, 0], 0)).into()), err);
            let errno = err.errno.unwrap_or(0);
            let text =
                format!("{errno}：{}（{}），以返回值代替异常：{cause}。", err.name, err.text);
            return (text, Some(hint));
        }
        Fact::OwnAddr(a) => format!("{}：本套接字自己的地址。", addr(a)),
        Fact::PeerAddr(a) => format!("{}：对端的地址。", addr(a)),
        Fact::Received { n: 0, from, .. } => format!("一个空的数据报{}。", from_text(from.clone())),
        Fact::Received { n, bufsize, from, split } => {
            let mut text = if n == bufsize {
                format!(
                    "{n}字节{}，达到了bufsize的上限：可能还有数据在等下一次recv()。",
                    from_text(from.clone())
                )
            } else if from.is_some() {
                format!("{n}字节：一个完整的数据报{}。", from_text(from.clone()))
            } else {
                format!(
                    "{n}字节：目前已到达的数据（最多{bufsize}）。TCP是字节流：对方的一次send\
                     可能分几次recv收到，几次send也可能一次收到。"
                )
            };
            if *split > 0 {
                let _ = write!(
                    text,
                    "最后{split}个字节是一个UTF-8字符的开头，其余部分还没到达：要等字符完整后\
                     再解码。"
                );
            }
            text
        }
        Fact::Eof => "b''：对方已关闭它的发送方向（EOF，收到了它的FIN），不会再有数据。（在UDP\
                      套接字上，b''则是一个空数据报。）"
            .into(),
        Fact::Truncated { kept, full, bufsize, from } => {
            let text = format!(
                "{full}字节的数据报只收到{kept}字节{}：缓冲区只有{bufsize}字节，内核丢弃了其余\
                 {}字节（MSG_TRUNC）。UDP从不把一个数据报分成几次recv()。",
                from_text(from.clone()),
                full - kept
            );
            return (text, Some(format!("把bufsize设为至少{full}（UDP最大65507）。")));
        }
        Fact::Shut(Shut::Write) => "None：FIN已经发出；对方读完已发送的数据后会读到b''。".into(),
        Fact::Shut(_) => "None：该方向已关闭。".into(),
        Fact::Closed => "None：套接字已关闭，它的文件描述符可能分给下一个套接字；再对它调用任何\
                         方法都会抛出OSError（EBADF）。"
            .into(),
        Fact::Other(text) => format!("{text}。"),
    };
    (text, None)
}

fn from_text(from: Option<Addr>) -> String {
    from.map_or_else(String::new, |a| format!("（来自{}）", addr(&a)))
}

/// Why `err` usually happens on `call`, and what to try (a whole sentence).
pub(super) fn failed(call: &Call, err: &CallError) -> (String, String) {
    if let Some((cause, hint)) = super::tls::failed_zh(err) {
        return (cause, format!("可以试试：{hint}。"));
    }
    let name = call.name();
    let (cause, hint): (String, &str) = match (name, err.name.as_str()) {
        ("connect" | "connect_ex", "ECONNREFUSED") => (
            "那里没有程序在监听：对方主机用复位（RST）回应了SYN".into(),
            "先启动服务器，或检查端口",
        ),
        (_, "ECONNREFUSED") => (
            "之前发出的数据报到达了一个没有程序监听的端口（ICMP端口不可达），内核在这次调用时报告"
                .into(),
            "先启动服务器，或检查端口",
        ),
        ("bind", "EADDRINUSE") => (
            "已有别的套接字占用了这个地址；刚停止的服务器可能还有连接处于TIME_WAIT".into(),
            "换一个端口或用0，或者在bind之前setsockopt(SO_REUSEADDR, 1)",
        ),
        (_, "EADDRINUSE") => ("这个地址已被占用".into(), "换一个端口或用0"),
        ("bind", "EACCES") => ("1024以下的端口需要特权".into(), "使用1024及以上的端口，或用0"),
        ("bind", "EADDRNOTAVAIL") => {
            ("本机没有哪个网卡拥有这个地址".into(), "127.0.0.1、0.0.0.0，或`ip addr`列出的地址")
        }
        (_, "EADDRNOTAVAIL") => ("这个地址在这里不可用".into(), "检查地址"),
        ("recv" | "recvfrom", "TimeoutError") => {
            ("在settimeout设定的期限内没有收到数据".into(), "设更长的超时期，或检查对方是否在发送")
        }
        ("accept", "TimeoutError") => {
            ("在settimeout设定的期限内没有客户端连接".into(), "设更长的超时期，或先启动客户端")
        }
        (_, "TimeoutError") => (
            "在期限（settimeout或--timeout）内没有得到回应".into(),
            "设更长的超时期，或检查地址是否正确",
        ),
        (_, "ETIMEDOUT") => (
            "内核等不到回应，放弃了（SYN重传约两分钟）".into(),
            "检查主机是否在线、有没有防火墙丢包，或用settimeout设一个期限",
        ),
        ("connect", "EINPROGRESS") => (
            "套接字是非阻塞的，connect()发起三次握手后立即返回".into(),
            "等套接字可写，或用connect_ex()查看结果",
        ),
        ("accept", "EAGAIN") => (
            "套接字是非阻塞的，而accept队列里没有等待的连接".into(),
            "等有客户端连接后再调用，或setblocking(True)来等待",
        ),
        ("recv" | "recvfrom", "EAGAIN") => (
            "套接字是非阻塞的，还没有数据到达".into(),
            "等数据到达后再调用，或setblocking(True)来等待",
        ),
        (_, "EAGAIN") => (
            "套接字是非阻塞的，这次调用需要等待".into(),
            "等套接字就绪后再调用，或setblocking(True)",
        ),
        (_, "EALREADY") => ("非阻塞的连接仍在进行中".into(), "等它完成"),
        (_, "EISCONN") => {
            ("套接字已经连接".into(), "直接在它上面send和recv，或为新的连接新建套接字")
        }
        (_, "ENOTCONN") => (
            format!("{name}()需要已连接的套接字，而这个套接字还没有连接"),
            "先connect()；服务器端要用accept()返回的套接字",
        ),
        ("accept", "EINVAL") => ("accept()需要正在监听的套接字".into(), "先调用listen()"),
        ("listen", "EINVAL") => (
            "这个套接字不能监听：它已连接，或不是TCP套接字".into(),
            "新建一个套接字：socket、bind、listen",
        ),
        ("bind", "EINVAL") => ("套接字已经绑定（或已连接）".into(), "为另一个地址新建一个套接字"),
        (_, "EINVAL") => ("参数与套接字当前的状态不符".into(), "检查参数和调用的顺序"),
        (_, "EBADF") => (
            "套接字已经关闭，它的文件描述符不再有效".into(),
            "新建一个套接字；关闭的套接字不能再用",
        ),
        (_, "EPIPE") => {
            ("连接的发送方向已关闭：对方已经离开，或本端调用过shutdown(SHUT_WR)".into(), "重新连接")
        }
        (_, "ECONNRESET") => (
            "对方复位了连接（RST）：它在还有未读数据时关闭、崩溃或中止了连接".into(),
            "重新连接，并查明对方为何关闭",
        ),
        (_, "ECONNABORTED") => ("连接在accept()取走之前就被中止了".into(), "再次accept()"),
        (_, "ENETUNREACH") => ("没有通往那个网络的路由".into(), "检查地址，以及网卡是否启用"),
        (_, "EHOSTUNREACH") => ("无法到达那台主机".into(), "检查地址和通往它的路由"),
        (_, "EMFILE" | "ENFILE") => ("打开的文件太多了".into(), "关闭一些连接，或调高`ulimit -n`"),
        (_, "EMSGSIZE") => ("数据报超过了UDP允许的大小（65507字节）".into(), "发送更短的数据"),
        (_, "EACCES" | "EPERM") => ("权限被拒绝".into(), "换一个地址或端口"),
        (_, "EAI_NONAME") => ("没有这个主机名".into(), "使用IP地址，或检查拼写"),
        (_, "EAI_AGAIN") => ("域名服务器没有回应（临时故障）".into(), "稍后重试，或使用IP地址"),
        (_, n) if n.starts_with("EAI_") => ("无法解析主机名".into(), "使用IP地址，或检查拼写"),
        (_, "KeyboardInterrupt") => (
            "Ctrl-C中断了阻塞中的调用".into(),
            "用settimeout()让调用自己放弃等待，或setblocking(False)",
        ),
        _ => (format!("系统拒绝了这次调用（{}）", err.text), "稍后重试，或换一个地址"),
    };
    (cause, format!("可以试试：{hint}。"))
}
