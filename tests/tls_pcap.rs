//! Keys in sockpit's own pcapng: with the capture live (`--wire --pcap`),
//! the TLS secrets go into the file as Decryption Secrets Blocks, so
//! `tshark -r FILE` with no option shows the plaintext of both directions.
//! Inside `unshare -rn` (any user may capture there), against openssl:
//! sockpit client ↔ `openssl s_server` over TLS 1.3 and `openssl s_client`
//! ↔ sockpit server over TLS 1.2. The control: the same file with its
//! secrets removed (`editcap --discard-all-secrets`) shows no plaintext.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::userns::Ns;

/// A certificate for localhost and 127.0.0.1, and fifos for the peers'
/// stdin (each kept open until the lines have crossed; a process started
/// later must not inherit the other's writing end, or that never ends).
const SETUP: &str = r"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -addext basicConstraints=critical,CA:FALSE \
    -keyout key.pem -out cert.pem 2>req.err
mkfifo peer.in ours.in
";

/// What tshark makes of a file: the TLS stream's plaintext, with the file
/// as it is and with its secrets discarded.
const READ: &str = r"
tshark -r ours.pcapng -q -z follow,tls,ascii,0 >follow.txt 2>follow.err
editcap --discard-all-secrets ours.pcapng nokeys.pcapng
tshark -r nokeys.pcapng -q -z follow,tls,ascii,0 >nokeys.txt 2>&1
tshark -r ours.pcapng -T fields -e frame.number -e tls.app_data >frames.txt 2>>follow.err
";

/// Runs `body` (after [`SETUP`], before [`READ`]) and checks tshark saw
/// both lines only while the file kept its secrets.
fn check(body: &str, ours: &str, peer: &str) {
    let ns = Ns::new();
    let out = ns.run(&format!("{SETUP}{body}{READ}"));
    let show = || {
        let mut text = format!("{out:?}");
        for f in ["ours.err", "peer.out", "peer.err", "follow.txt", "follow.err", "nokeys.txt"] {
            text.push_str(&format!("\n--- {f} ---\n{}", ns.file(f)));
        }
        text
    };
    assert!(out.status.success(), "{}", show());
    assert_eq!(ns.file("ours.rc").trim(), "0", "{}", show());
    let follow = ns.file("follow.txt");
    assert!(follow.contains(ours) && follow.contains(peer), "tshark -r decrypts: {}", show());
    let nokeys = ns.file("nokeys.txt");
    assert!(
        !nokeys.contains(ours) && !nokeys.contains(peer),
        "without the secrets block no plaintext: {nokeys}"
    );
    // Every frame that carries application data was decrypted.
    let frames = ns.file("frames.txt");
    assert!(
        frames.lines().any(|l| l.split('\t').nth(1).is_some_and(|d| !d.is_empty())),
        "{frames}"
    );
}

#[test]
fn a_tls13_client_capture_decrypts_with_no_option() {
    check(
        r#"
openssl s_server -accept 127.0.0.1:4433 -naccept 1 -cert cert.pem -key key.pem -tls1_3 \
    <peer.in >peer.out 2>peer.err &
exec 3>peer.in
wait_for peer.out ACCEPT
printf 'from-openssl-4711\n' >&3
"$SOCKPIT" tcp client localhost:4433 --tls --cafile cert.pem --wire --pcap ours.pcapng \
    --headless <ours.in >ours.out 2>ours.err 3>&- &
OURS=$!
exec 4>ours.in
printf 'from-sockpit-0815\n' >&4
wait_for ours.out from-openssl-4711
wait_for peer.out from-sockpit-0815
exec 4>&-
set +e; wait $OURS; echo $? >ours.rc; set -e
exec 3>&-
"#,
        "from-sockpit-0815",
        "from-openssl-4711",
    );
}

#[test]
fn a_tls12_server_capture_decrypts_with_no_option() {
    check(
        r#"
"$SOCKPIT" tcp server 127.0.0.1:4433 --tls --tls-max 1.2 --cert cert.pem --key key.pem \
    --wire --pcap ours.pcapng --headless <ours.in >ours.out 2>ours.err &
OURS=$!
exec 4>ours.in
wait_for ours.err 'listening on'
openssl s_client -connect 127.0.0.1:4433 -quiet -no_ign_eof -CAfile cert.pem \
    -verify_return_error <peer.in >peer.out 2>peer.err 4>&- &
exec 3>peer.in
printf 'from-openssl-4711\n' >&3
wait_for ours.out from-openssl-4711
printf 'from-sockpit-0815\n' >&4
wait_for peer.out from-sockpit-0815
exec 4>&-
set +e; wait $OURS; echo $? >ours.rc; set -e
exec 3>&-
grep -q "tls.version()  -> 'TLSv1.2'" ours.err
"#,
        "from-sockpit-0815",
        "from-openssl-4711",
    );
}
