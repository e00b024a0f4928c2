#[path = "../tests/read/common.rs"]
mod common;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let source = std::fs::read_to_string(&path).unwrap();
    match folio_storage::read_storage(&source, &Default::default()) {
        Ok(read) => {
            for b in &read.document.blocks {
                let mut s = String::new();
                common::blocks(&mut s, std::slice::from_ref(b));
                println!("{s}");
            }
            for d in read.diagnostics { eprintln!("{:?} {} {:?} {:?}", d.code, d.message, d.span, d.hints); }
        }
        Err(e) => eprintln!("ERROR {e:?}"),
    }
}
