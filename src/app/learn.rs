//! The lesson's side of the app (`sockpit learn N`): engine events tick the
//! checklist, Alt-L shows the next hint, Alt-R starts the chapter again
//! over fresh sockets on every end.

use super::{App, Effect, EntryKind};
use crate::course::Start;
use crate::net::{Event, Holds};

impl App {
    /// Opens a chapter in the app: the input starts on the end it names.
    pub fn open_lesson(&mut self, lesson: crate::course::Lesson) {
        let server = self.ends.iter().position(|e| e.role.is_server());
        let client = self.ends.iter().position(|e| !e.role.is_server());
        let start = match lesson.chapter.start {
            Start::Server => server.or(client),
            Start::Client => client.or(server),
        };
        self.active = start.unwrap_or(0);
        self.lesson = Some(lesson);
    }

    /// One engine event for the lesson; whether the pane changed.
    pub(super) fn lesson_event(&mut self, end: usize, ev: &Event) -> bool {
        let Some(server) = self.ends.get(end).map(|e| e.role.is_server()) else { return false };
        let Some(lesson) = &mut self.lesson else { return false };
        let before = lesson.done;
        if !lesson.observe(end, server, ev) {
            return false;
        }
        let (done, steps) = (lesson.done, lesson.chapter.steps);
        let lang = self.lang;
        let ticked: Vec<String> = (before..done)
            .filter_map(|i| steps.get(i).map(|s| format!("✓ {}. {}", i + 1, s.label.get(lang))))
            .collect();
        let finished = done >= steps.len();
        for line in ticked {
            self.lesson_note(&line);
        }
        if finished {
            self.lesson_note(match lang {
                crate::lesson::Lang::En => {
                    "chapter done: F10 saves what you did as a Python script (python3 runs it)"
                }
                crate::lesson::Lang::Zh => {
                    "本章完成：F10 把你做过的调用保存为 Python 脚本（python3 可运行）"
                }
            });
        }
        true
    }

    fn lesson_note(&mut self, text: &str) {
        let at = self.now();
        let active = self.active;
        if let Some(end) = self.ends.get_mut(active) {
            end.note(at, EntryKind::Info, 0, text);
        }
    }

    /// Alt-L: one more hint of the current step.
    pub(super) fn hint(&mut self) {
        match &mut self.lesson {
            Some(lesson) => lesson.hint(),
            None => {
                self.refuse("Alt-L shows a lesson's hints: run `sockpit learn` for the chapters");
            }
        }
    }

    /// Alt-R in a lesson: every end starts over with a fresh session in
    /// step mode, and the checklist from its first step.
    pub(super) fn reset_chapter(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        for (i, end) in self.ends.iter_mut().enumerate() {
            end.restart();
            end.lifecycle.clear();
            end.listening = None;
            end.step = true;
            end.holds = Holds { accept: true, reads: true };
            effects.push(Effect::Restart { end: i, step: true });
        }
        if let Some(mut lesson) = self.lesson.take() {
            lesson.reset();
            self.open_lesson(lesson);
        }
        self.lesson_note(match self.lang {
            crate::lesson::Lang::En => {
                "lesson reset: fresh sockets on every end, the chapter from its first step"
            }
            crate::lesson::Lang::Zh => "课程已重置：每一端都是新的套接字，本章从第一步开始",
        });
        effects
    }
}
