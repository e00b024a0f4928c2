//! Task lists (`ac:task-list`, `ac:task`).

use folio_ir::{Block, Inline, Task};

use crate::blocks::{Cx, Flow};
use crate::dom::{Element, Node};
use crate::inline::{normalize, read_inline_only};

/// `ac:task-list` → a task list; nested lists become the children of the task before them.
pub(crate) fn read_task_list(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    let items = read_tasks(cx, el);
    out.push(Flow::Block(Block::TaskList {
        items,
        span: el.span,
    }));
}

/// An `ac:task` outside a task list: a list of one.
pub(crate) fn read_lone_task(cx: &mut Cx, el: &Element, out: &mut Vec<Flow>) {
    let items = vec![read_task(cx, el)];
    out.push(Flow::Block(Block::TaskList {
        items,
        span: el.span,
    }));
}

fn read_tasks(cx: &mut Cx, el: &Element) -> Vec<Task> {
    let mut tasks: Vec<Task> = Vec::new();
    for node in &el.children {
        match node {
            Node::Element(child) if child.name == "ac:task" => tasks.push(read_task(cx, child)),
            Node::Element(child) if child.name == "ac:task-list" => {
                let nested = read_tasks(cx, child);
                match tasks.last_mut() {
                    Some(task) => task.children.extend(nested),
                    None => tasks.extend(nested),
                }
            }
            node if node.is_blank_text() => {}
            // Anything else in the list joins the text of the task before it.
            other => {
                let mut content = read_inline_only(cx, std::slice::from_ref(other));
                normalize(&mut content);
                if content.is_empty() {
                    continue;
                }
                match tasks.last_mut() {
                    Some(task) => {
                        task.content.push(Inline::LineBreak);
                        task.content.extend(content);
                    }
                    None => tasks.push(Task {
                        done: false,
                        content,
                        children: vec![],
                    }),
                }
            }
        }
    }
    tasks
}

/// `ac:task`: `ac:task-status` (`complete` = done), `ac:task-body` (inlines; paragraphs in it are
/// flattened), nested `ac:task-list`s as children.
fn read_task(cx: &mut Cx, el: &Element) -> Task {
    let done = el
        .child("ac:task-status")
        .is_some_and(|s| s.text_content().trim().eq_ignore_ascii_case("complete"));
    let mut content = Vec::new();
    let mut children = Vec::new();
    for child in el.elements() {
        match child.name.as_str() {
            "ac:task-body" => {
                let (lists, rest): (Vec<&Node>, Vec<&Node>) = child
                    .children
                    .iter()
                    .partition(|n| matches!(n, Node::Element(e) if e.name == "ac:task-list"));
                let rest: Vec<Node> = rest.into_iter().cloned().collect();
                content.extend(read_inline_only(cx, &rest));
                for list in lists {
                    if let Node::Element(list) = list {
                        children.extend(read_tasks(cx, list));
                    }
                }
            }
            "ac:task-list" => children.extend(read_tasks(cx, child)),
            _ => {}
        }
    }
    normalize(&mut content);
    Task {
        done,
        content,
        children,
    }
}
