#!/bin/sh
# Re-extract UI strings, merge them into the catalogues and compile them.
# Translate new entries in sinkron/translations/*/LC_MESSAGES/messages.po,
# then run this again; tests/test_i18n.py fails while a string is untranslated.
set -e
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k N_ -k _l -k lazy_gettext --no-location --sort-output \
    --omit-header -o sinkron/translations/messages.pot .
for lang in id; do
    if [ -f "sinkron/translations/$lang/LC_MESSAGES/messages.po" ]; then
        pybabel update -i sinkron/translations/messages.pot -d sinkron/translations -l "$lang" \
            --no-fuzzy-matching
    else
        pybabel init -i sinkron/translations/messages.pot -d sinkron/translations -l "$lang"
    fi
done
pybabel compile -d sinkron/translations --statistics
