//! The `ssl` module's calls explained, in English and in Chinese, the way
//! the socket calls are: what the call does, in general.

use crate::net::CallError;
use crate::net::tls::TlsCall;

/// What the `ssl` call does (English).
pub(super) fn what_en(call: &TlsCall) -> String {
    match call {
        TlsCall::Context { server: false, .. } => {
            "Creates a TLS context for a client with safe defaults: it will check the server's \
             certificate against the trusted CAs (the system's, or cafile) and that it names \
             the host you connect to."
                .into()
        }
        TlsCall::Context { server: true, .. } => {
            "Creates a TLS context for a server. A server proves who it is with a certificate \
             and its private key, loaded next."
                .into()
        }
        TlsCall::NoVerify => {
            "Turns verification off: any certificate is accepted, so the connection is \
             encrypted but you do not know who is at the other end (--insecure)."
                .into()
        }
        TlsCall::MinVersion(v) => format!("Refuses any TLS version older than {}.", v.python()),
        TlsCall::MaxVersion(v) => format!("Refuses any TLS version newer than {}.", v.python()),
        TlsCall::Alpn(list) => format!(
            "Offers these application protocols in the handshake (ALPN): {}. The server picks \
             one, or none.",
            list.join(", ")
        ),
        TlsCall::LoadCertChain { generated, .. } => {
            let made = if *generated {
                " sockpit made this one at start, self-signed for localhost, 127.0.0.1 and ::1: \
                 a client trusts it only if given the certificate as its cafile."
            } else {
                ""
            };
            format!(
                "Loads the server's certificate chain and private key: what it shows clients, \
                 and the key that proves it owns the certificate.{made}"
            )
        }
        TlsCall::Wrap { server_side: false, .. } => {
            "Wraps the connected socket and runs the TLS handshake: ClientHello out, the \
             server's certificate and key share back, keys derived on both ends. From now on \
             tls.send and tls.recv carry encrypted records over the same TCP connection."
                .into()
        }
        TlsCall::Wrap { server_side: true, .. } => {
            "Wraps the accepted socket and answers the client's TLS handshake with this \
             server's certificate. The TCP connection stays the same; what crosses it is now \
             encrypted records."
                .into()
        }
        TlsCall::Version => "The TLS version the two ends agreed on.".into(),
        TlsCall::Cipher => {
            "The cipher suite in use: its name, the TLS version, and the secret key bits.".into()
        }
        TlsCall::SelectedAlpn => {
            "The application protocol the server picked from the ALPN offer (None: no ALPN).".into()
        }
        TlsCall::GetPeerCert => {
            "The peer's certificate as a dict: who it names (subject, subjectAltName), who \
             signed it (issuer) and until when. Empty when it was not verified."
                .into()
        }
        TlsCall::Unwrap => {
            "Ends TLS on this connection: sends close_notify (an encrypted 'no more data' \
             alert) and gives back the plain socket, which then sends its FIN."
                .into()
        }
    }
}

/// What the `ssl` call does (Chinese).
pub(super) fn what_zh(call: &TlsCall) -> String {
    match call {
        TlsCall::Context { server: false, .. } => {
            "为客户端创建一个带安全默认值的TLS上下文：它会用受信任的CA（系统的，或cafile）检查\
             服务器的证书，并检查证书上的名字是否就是要连接的主机。"
                .into()
        }
        TlsCall::Context { server: true, .. } => {
            "为服务器创建TLS上下文。服务器用证书和私钥证明自己的身份，接下来加载它们。".into()
        }
        TlsCall::NoVerify => {
            "关闭验证：任何证书都接受，连接是加密的，但你并不知道对端是谁（--insecure）。".into()
        }
        TlsCall::MinVersion(v) => format!("拒绝比{}更旧的TLS版本。", v.python()),
        TlsCall::MaxVersion(v) => format!("拒绝比{}更新的TLS版本。", v.python()),
        TlsCall::Alpn(list) => {
            format!(
                "在握手中提供这些应用层协议（ALPN）：{}。由服务器选一个，或不选。",
                list.join("、")
            )
        }
        TlsCall::LoadCertChain { generated, .. } => {
            let made = if *generated {
                "这份证书是sockpit启动时为localhost、127.0.0.1和::1自签的：客户端只有把它当作\
                 cafile才会信任它。"
            } else {
                ""
            };
            format!("加载服务器的证书链和私钥：证书给客户端看，私钥证明服务器拥有这份证书。{made}")
        }
        TlsCall::Wrap { server_side: false, .. } => {
            "包装已连接的套接字并进行TLS握手：发出ClientHello，收到服务器的证书和密钥共享，两端\
             各自推导出密钥。此后tls.send和tls.recv在同一个TCP连接上传送加密的记录。"
                .into()
        }
        TlsCall::Wrap { server_side: true, .. } => {
            "包装accept得到的套接字，用本服务器的证书回应客户端的TLS握手。TCP连接不变，\
             只是上面传送的变成了加密的记录。"
                .into()
        }
        TlsCall::Version => "两端商定的TLS版本。".into(),
        TlsCall::Cipher => "正在使用的密码套件：名字、TLS版本和密钥位数。".into(),
        TlsCall::SelectedAlpn => "服务器从ALPN提议中选中的应用层协议（None：没有ALPN）。".into(),
        TlsCall::GetPeerCert => {
            "对端证书（字典）：它标明的身份（subject、subjectAltName）、签发者（issuer）和有效期。\
             未经验证时为空。"
                .into()
        }
        TlsCall::Unwrap => {
            "结束这个连接上的TLS：发送close_notify（加密的“不再有数据”警报），交回普通套接字，\
             随后它再发送FIN。"
                .into()
        }
    }
}

/// Why a TLS call failed and what to try, in Chinese (`None`: not TLS's).
pub(super) fn failed_zh(err: &CallError) -> Option<(String, &'static str)> {
    Some(match err.name.as_str() {
        "certificate not trusted" => (
            format!("证书不受信任（{}）：它不是由你信任的CA签发的", err.text),
            "用--cafile FILE指定签发它的证书，或用--insecure跳过验证",
        ),
        "certificate name mismatch" => (
            format!("证书上的名字与要连接的主机不符（{}）", err.text),
            "用--sni NAME指定证书上有的名字，或用那个名字连接",
        ),
        "certificate expired" | "certificate not valid yet" => {
            (format!("证书不在有效期内（{}）", err.text), "换一份有效的证书，或检查时钟")
        }
        "protocol version" => {
            (format!("两端没有共同支持的TLS版本（{}）", err.text), "调整--tls-min/--tls-max")
        }
        "no shared cipher" => (
            format!("两端没有共同支持的密码套件或密钥交换组（{}）", err.text),
            "调整--tls-min/--tls-max",
        ),
        "not TLS" => {
            (format!("对端说的不是TLS（{}）", err.text), "去掉--tls，或换一个TLS客户端/服务器")
        }
        "handshake cut short" => {
            (format!("握手还没完成对端就关闭了连接（{}）", err.text), "检查对端是否使用TLS")
        }
        "no shared ALPN protocol" => {
            (format!("没有共同的ALPN协议（{}）", err.text), "换一个--alpn列表")
        }
        "TLS" | "TLS alert" => (format!("TLS出错（{}）", err.text), "检查两端的TLS设置"),
        _ => return None,
    })
}
