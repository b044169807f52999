//! The Lesson pane (`sockpit learn N`): the chapter's goal, its checklist
//! ticking itself, the current step's text, the hints asked for so far,
//! and what to run in a second terminal. Drawn only from `&App`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::text::{render_lines, wrap};
use super::theme;
use crate::app::App;
use crate::course::Lesson;
use crate::lesson::Lang;

/// Rows the pane takes for a body of `body` rows: up to half of it (at
/// 80×24 that is 11, enough for the step's text, a hint and a wrapped
/// second-terminal command such as chapter 3's `python3 -c` line, which a
/// student must be able to read whole), at most 16, and no more than the
/// chapter needs (borders, goal, every step, and three rows of text and
/// hints).
#[must_use]
pub fn height(body: u16, lesson: &Lesson) -> u16 {
    let needed = u16::try_from(lesson.chapter.steps.len() + 6).unwrap_or(u16::MAX);
    (body / 2).clamp(8, 16).min(needed.max(8))
}

/// The pane.
pub struct LessonPane<'a> {
    pub app: &'a App,
}

/// Words of the pane in both languages.
struct Words {
    lesson: &'static str,
    goal: &'static str,
    hint_key: &'static str,
    hint: &'static str,
    done: &'static str,
    best: &'static str,
    second: &'static str,
}

const EN: Words = Words {
    lesson: "Lesson",
    goal: "Goal: ",
    hint_key: "Alt-L hint",
    hint: "Hint",
    done: "Chapter done! F10 saves what you did as a Python script; `sockpit learn` lists the next.",
    best: "best",
    second: "In a second terminal: ",
};

const ZH: Words = Words {
    lesson: "第",
    goal: "目标：",
    hint_key: "Alt-L 提示",
    hint: "提示",
    done: "本章完成！F10 把你做过的调用保存为 Python 脚本；`sockpit learn` 列出下一章。",
    best: "最好",
    second: "在第二个终端运行：",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// `{port}` in a chapter's text: the server's port once it is bound.
fn fill(text: &str, app: &App) -> String {
    let port = app
        .ends
        .iter()
        .filter(|e| e.role.is_server())
        .find_map(|e| e.listening.as_ref().and_then(crate::net::Addr::inet).map(|a| a.port()));
    let port = port.map_or_else(|| "PORT".to_string(), |p| p.to_string());
    text.replace("{port}", &port)
}

fn title(lesson: &Lesson, lang: Lang) -> String {
    let w = words(lang);
    let steps = lesson.chapter.steps.len();
    let name = lesson.chapter.title.get(lang);
    let head = match lang {
        Lang::En => format!("{} {}: {name}", w.lesson, lesson.number),
        Lang::Zh => format!("{}{}课：{name}", w.lesson, lesson.number),
    };
    let best = if lesson.best > lesson.done {
        format!(" ({} {})", w.best, lesson.best)
    } else {
        String::new()
    };
    format!("{head} · {}/{steps}{best} · {}", lesson.done.min(steps), w.hint_key)
}

impl Widget for LessonPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let Some(lesson) = &self.app.lesson else { return };
        let lang = self.app.lang;
        let w = words(lang);
        let block = Block::bordered()
            .title(title(lesson, lang))
            .border_style(theme::border(false))
            .title_style(theme::heading());
        let inner = block.inner(area);
        block.render(area, buf);
        let width = usize::from(inner.width);
        let rows = usize::from(inner.height);
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let goal =
            wrap(&[Span::styled(w.goal, bold), Span::raw(lesson.chapter.goal.get(lang))], width, 0);
        // Below the checklist: the step's text and hints, or the end.
        let mut below: Vec<Line<'static>> = Vec::new();
        match lesson.chapter.steps.get(lesson.done) {
            Some(step) => {
                below.extend(wrap(&[Span::raw(fill(step.text.get(lang), self.app))], width, 0));
                let shown = &step.hints[..lesson.hints.min(step.hints.len())];
                for (i, hint) in shown.iter().enumerate() {
                    let head = format!("{} {}/{}: ", w.hint, i + 1, step.hints.len());
                    let spans = [
                        Span::styled(head, theme::hit()),
                        Span::raw(fill(hint.get(lang), self.app)),
                    ];
                    below.extend(wrap(&spans, width, 2));
                }
            }
            None => below.extend(wrap(&[Span::styled(w.done, theme::sent())], width, 0)),
        }
        if let Some(second) = lesson.chapter.second {
            let spans = [Span::styled(w.second, bold), Span::raw(fill(second.get(lang), self.app))];
            below.extend(wrap(&spans, width, 2));
        }
        if let Some(note) = &lesson.note {
            below.extend(wrap(&[Span::styled(note.clone(), theme::warn())], width, 0));
        }
        let checklist = checklist(lesson, lang, width);
        // The goal's first row and the current step always show; then the
        // step's text, hints and second-terminal line (what the student
        // acts on: a hint's command cut off at 80×24 is no hint), then the
        // rest of the goal, then the checklist around the current step.
        let below_rows = below.len().min(rows.saturating_sub(2));
        let goal_rows = goal.len().min(rows.saturating_sub(below_rows + 1)).max(1);
        let list_rows = rows.saturating_sub(goal_rows + below_rows).max(1);
        let current = lesson.done.min(checklist.len().saturating_sub(1));
        let first =
            current.saturating_sub(list_rows / 2).min(checklist.len().saturating_sub(list_rows));
        let mut lines: Vec<Line<'static>> = goal.into_iter().take(goal_rows).collect();
        lines.extend(checklist.into_iter().skip(first).take(list_rows));
        lines.extend(below.into_iter().take(below_rows));
        render_lines(&lines, inner, buf);
    }
}

/// One row per step: ticked, current or to come.
fn checklist(lesson: &Lesson, lang: Lang, width: usize) -> Vec<Line<'static>> {
    lesson
        .chapter
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let (mark, style) = match i.cmp(&lesson.done) {
                std::cmp::Ordering::Less => ("✓", theme::sent()),
                std::cmp::Ordering::Equal => ("▶", Style::default().add_modifier(Modifier::BOLD)),
                std::cmp::Ordering::Greater => (" ", theme::dim()),
            };
            let text = format!("{mark} {}. {}", i + 1, step.label.get(lang));
            Line::from(Span::styled(super::text::clip(&text, width), style))
        })
        .collect()
}
