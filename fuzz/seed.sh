#!/bin/sh
# Seeds fuzz/corpus/<target>/ with the project's own pages: every corpus page and fixture.
# libFuzzer adds what it discovers to the same folders; they are not committed (.gitignore).
set -eu
cd "$(dirname "$0")/.."
for target in read_storage passes compile; do
    mkdir -p "fuzz/corpus/$target"
    find corpus fixtures -type f \( -name '*.xhtml' -o -name '*.xml' -o -name '*.json' \) \
        ! -name '*.expected' ! -name 'site.json' | while read -r file; do
        # Flatten the path into a unique seed name.
        cp "$file" "fuzz/corpus/$target/$(echo "$file" | tr '/' '_')"
    done
done
echo "seeded: $(ls fuzz/corpus/read_storage | wc -l) files per target"
