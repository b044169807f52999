//! The socket panel's TLS section: what the handshake settled (version,
//! suite, group, ALPN, SNI, full or resumed, its time), whether the peer's
//! certificate was checked (an unverified one said loudly), the peer's
//! chain, and the plaintext against the bytes on the wire. Certificate
//! names come from the peer: they are drawn through `safe_spans`.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::text::{safe_spans, wrap};
use super::theme;
use crate::app::tls::{TlsFacts, WireCounts};
use crate::net::tls::{CertInfo, TlsInfo, Verification};
use crate::python::tls::duration;

/// The section's rows for a panel `width` columns wide.
#[must_use]
pub fn lines(facts: &TlsFacts, width: usize) -> Vec<Line<'static>> {
    let mut out = vec![Line::styled("── TLS ──", theme::dim())];
    match &facts.info {
        Some(info) => handshake(info, width, &mut out),
        None => out.push(Line::styled("handshake not finished", theme::dim())),
    }
    if let Some(wire) = facts.wire {
        wire_rows(wire, width, &mut out);
    }
    out
}

/// A dimmed label and its value, wrapped under the label's width.
fn field(label: &str, value: Vec<Span<'static>>, width: usize, out: &mut Vec<Line<'static>>) {
    let mut spans = vec![Span::styled(format!("{label} "), theme::dim())];
    spans.extend(value);
    out.extend(wrap(&spans, width, 2));
}

fn raw(text: impl Into<String>) -> Vec<Span<'static>> {
    vec![Span::raw(text.into())]
}

/// Peer-given text (a name from the certificate), made safe.
fn peer(text: &str) -> Vec<Span<'static>> {
    safe_spans(text.as_bytes(), Style::new())
}

fn handshake(info: &TlsInfo, width: usize, out: &mut Vec<Line<'static>>) {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    out.push(Line::from(vec![
        Span::styled(info.version.clone(), bold),
        Span::raw(format!(" {} bits", info.bits)),
    ]));
    // Whether the peer is who it says comes first: it is what matters most.
    verification(&info.verification, width, out);
    field("suite", raw(info.suite.as_str()), width, out);
    field("group", raw(info.group.as_deref().unwrap_or("-")), width, out);
    field("ALPN", peer(info.alpn.as_deref().unwrap_or("-")), width, out);
    let sni = if info.server_side { "SNI received" } else { "SNI sent" };
    field(sni, peer(info.sni.as_deref().unwrap_or("-")), width, out);
    let kind = if info.resumed { "resumed" } else { "full" };
    let took = format!("{kind} handshake, {}", duration(info.handshake_micros));
    out.push(Line::raw(took));
    if info.chain.is_empty() {
        let none = if info.server_side { "no client certificate" } else { "no certificate" };
        out.push(Line::styled(none, theme::dim()));
    }
    for (i, cert) in info.chain.iter().enumerate() {
        chain_rows(i, cert, width, out);
    }
}

fn verification(v: &Verification, width: usize, out: &mut Vec<Line<'static>>) {
    let loud = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD | Modifier::REVERSED);
    match v {
        Verification::Verified => out.push(Line::styled(
            "certificate VERIFIED",
            Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
        )),
        Verification::Unverified { would_fail } => {
            out.extend(wrap(&[Span::styled("NOT VERIFIED (--insecure)", loud)], width, 0));
            let why = would_fail.as_ref().map_or_else(
                || "a check would pass".to_string(),
                |why| format!("a check would fail: {why}"),
            );
            out.extend(wrap(&[Span::styled(why, theme::error())], width, 2));
        }
        Verification::NotRequested => {
            out.push(Line::styled("client certificate not asked", theme::dim()));
        }
    }
}

fn chain_rows(i: usize, cert: &CertInfo, width: usize, out: &mut Vec<Line<'static>>) {
    let role = if i == 0 { "peer cert" } else { "chain" };
    field(&format!("{role} {i}"), peer(&cert.subject), width, out);
    for san in &cert.sans {
        field(" SAN", peer(san), width, out);
    }
    let mut issuer = peer(&cert.issuer);
    if cert.self_signed {
        issuer.push(Span::styled(" (self-signed)", Style::new().fg(Color::Yellow)));
    }
    field(" issuer", issuer, width, out);
    field(" from", raw(cert.not_before.as_str()), width, out);
    field(" until", raw(cert.not_after.as_str()), width, out);
    // The fingerprint's hex pairs, as many a row as fit.
    out.push(Line::styled(" SHA-256", theme::dim()));
    let per_row = (width.saturating_sub(1) / 3).max(1);
    let pairs: Vec<&str> = cert.sha256.split(':').collect();
    for row in pairs.chunks(per_row) {
        out.push(Line::raw(format!(" {}", row.join(":"))));
    }
}

fn wire_rows(w: WireCounts, width: usize, out: &mut Vec<Line<'static>>) {
    let plain = format!("sent {} B / recv {} B", w.plain_sent, w.plain_received);
    let wire = format!("sent {} B / recv {} B", w.sent, w.received);
    field("plaintext", raw(plain), width, out);
    field("on wire", raw(wire), width, out);
}
