//! Traversal of the block tree, in the spirit of pandoc's `Walk`: passes rewrite lists of blocks or
//! inlines wherever they occur, without knowing every variant that contains them.

use crate::{Block, Inline, MacroBody, Task};

/// Something that rewrites block lists; see [`walk_blocks_mut`].
pub trait BlockVisitor {
    fn visit_blocks(&mut self, blocks: &mut Vec<Block>);
}

impl<F: FnMut(&mut Vec<Block>)> BlockVisitor for F {
    fn visit_blocks(&mut self, blocks: &mut Vec<Block>) {
        self(blocks)
    }
}

/// Calls `f` on `blocks` and then on every nested block list, outermost first, so that blocks `f`
/// produces are themselves visited.
pub fn walk_blocks_mut(blocks: &mut Vec<Block>, f: &mut impl BlockVisitor) {
    f.visit_blocks(blocks);
    for block in blocks.iter_mut() {
        for_each_child_list(block, &mut |list| walk_blocks_mut(list, f));
    }
}

/// Calls `f` on `blocks` and then on every nested block list, outermost first, for readers
/// that change nothing.
pub fn walk_blocks(blocks: &[Block], f: &mut impl FnMut(&[Block])) {
    f(blocks);
    for block in blocks {
        for_each_child(block, &mut |list| walk_blocks(list, f));
    }
}

/// Calls `f` on every inline list in `blocks`, at any depth (nested inlines included), outermost
/// first.
pub fn walk_inlines_mut(blocks: &mut [Block], f: &mut impl FnMut(&mut Vec<Inline>)) {
    for block in blocks.iter_mut() {
        match block {
            Block::Heading { content, .. } | Block::Paragraph { content, .. } => {
                walk_inline_list(content, f)
            }
            Block::TaskList { items, .. } => walk_tasks(items, f),
            Block::Image(image) => walk_inline_list(&mut image.caption, f),
            _ => {}
        }
        for_each_child_list(block, &mut |list| walk_inlines_mut(list, f));
    }
}

fn walk_tasks(tasks: &mut [Task], f: &mut impl FnMut(&mut Vec<Inline>)) {
    for task in tasks {
        walk_inline_list(&mut task.content, f);
        walk_tasks(&mut task.children, f);
    }
}

fn walk_inline_list(inlines: &mut Vec<Inline>, f: &mut impl FnMut(&mut Vec<Inline>)) {
    f(inlines);
    for inline in inlines.iter_mut() {
        if let Some(content) = inline.content_mut() {
            walk_inline_list(content, f);
            continue;
        }
        match inline {
            Inline::Image(image) => walk_inline_list(&mut image.caption, f),
            Inline::Macro(m) => {
                if let MacroBody::Rich { blocks } = &mut m.body {
                    walk_inlines_mut(blocks, f);
                }
            }
            _ => {}
        }
    }
}

/// Calls `f` on each block list directly inside `block`.
pub fn for_each_child_list(block: &mut Block, f: &mut dyn FnMut(&mut Vec<Block>)) {
    match block {
        Block::List(list) => list.items.iter_mut().for_each(|item| f(&mut item.blocks)),
        Block::Quote { blocks, .. }
        | Block::Expand { blocks, .. }
        | Block::Div { blocks, .. }
        | Block::Unsupported { blocks, .. } => f(blocks),
        Block::Panel(panel) => f(&mut panel.blocks),
        Block::Part(part) => f(&mut part.blocks),
        Block::Table(table) => table
            .rows
            .iter_mut()
            .flat_map(|row| row.cells.iter_mut())
            .for_each(|cell| f(&mut cell.blocks)),
        Block::Columns(columns) => columns
            .columns
            .iter_mut()
            .for_each(|column| f(&mut column.blocks)),
        Block::Macro(m) => {
            if let MacroBody::Rich { blocks } = &mut m.body {
                f(blocks)
            }
        }
        Block::Heading { .. }
        | Block::Paragraph { .. }
        | Block::Rule { .. }
        | Block::Code(_)
        | Block::Image(_)
        | Block::TaskList { .. }
        | Block::Math { .. }
        | Block::Toc(_) => {}
    }
}

/// Calls `f` on each block list directly inside `block` (see [`for_each_child_list`]).
pub fn for_each_child(block: &Block, f: &mut dyn FnMut(&[Block])) {
    match block {
        Block::List(list) => list.items.iter().for_each(|item| f(&item.blocks)),
        Block::Quote { blocks, .. }
        | Block::Expand { blocks, .. }
        | Block::Div { blocks, .. }
        | Block::Unsupported { blocks, .. } => f(blocks),
        Block::Panel(panel) => f(&panel.blocks),
        Block::Part(part) => f(&part.blocks),
        Block::Table(table) => table
            .rows
            .iter()
            .flat_map(|row| row.cells.iter())
            .for_each(|cell| f(&cell.blocks)),
        Block::Columns(columns) => columns.columns.iter().for_each(|column| f(&column.blocks)),
        Block::Macro(m) => {
            if let MacroBody::Rich { blocks } = &m.body {
                f(blocks)
            }
        }
        Block::Heading { .. }
        | Block::Paragraph { .. }
        | Block::Rule { .. }
        | Block::Code(_)
        | Block::Image(_)
        | Block::TaskList { .. }
        | Block::Math { .. }
        | Block::Toc(_) => {}
    }
}
