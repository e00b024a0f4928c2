#!/usr/bin/env python3
"""Makes a synthetic export bundle of N pages for scale measurements: the pages of
corpus/bundle-handbook repeated under new ids, in a tree of fan-out 5 (so several levels), each
linking to its parent and first sibling. Usage: bench/make-bundle.py N OUT_DIR"""
import json, os, shutil, sys

n, out = int(sys.argv[1]), sys.argv[2]
src = os.path.join(os.path.dirname(__file__), "..", "corpus", "bundle-handbook")
manifest = json.load(open(os.path.join(src, "folio.json")))
sources = [p for p in manifest["pages"] if p.get("type") != "blogpost"]
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
pages = []
for i in range(n):
    base = sources[i % len(sources)]
    pid = str(10000 + i)
    parent = str(10000 + (i - 1) // 5) if i > 0 else None
    folder = os.path.join(out, "pages", pid)
    shutil.copytree(os.path.join(src, "pages", base["id"]), folder)
    body = open(os.path.join(folder, "page.xhtml")).read()
    if parent:
        body += f'<p>Up: <ac:link><ri:page ri:content-title="Page {parent}" /></ac:link></p>'
    open(os.path.join(folder, "page.xhtml"), "w").write(body)
    entry = {"id": pid, "title": f"Page {pid}", "position": i, "file": f"pages/{pid}/page.xhtml",
             "labels": base.get("labels", [])}
    if parent:
        entry["parent"] = parent
    pages.append(entry)
manifest["pages"] = pages
json.dump(manifest, open(os.path.join(out, "folio.json"), "w"), indent=1)
shutil.copy(os.path.join(src, "logo.png"), out)
print(f"{n} pages in {out}")
