#include "text/keyboards.hpp"

#include "formats/utf8.hpp"

namespace sayso::text {

namespace {

using Rows = std::vector<std::vector<std::string>>;

// Splits a UTF-8 string into its characters (a key per code point).
std::vector<std::string> chars(const std::string& s) {
    return utf8::split(s);
}

Rows rows_of(std::initializer_list<const char*> lines) {
    Rows r;
    for (const char* l : lines)
        r.push_back(chars(l));
    return r;
}

} // namespace

const std::vector<std::vector<std::string>>& keyboard_rows(const std::string& lang) {
    // Letters in the order a child learns them where there is no common
    // typewriter layout (Urdu, Gurmukhi), else the usual QWERTY.
    static const Rows latin = rows_of({"1234567890", "qwertyuiop", "asdfghjkl'", "zxcvbnm,.?"});
    static const Rows polish = rows_of({"1234567890", "qwertyuiop", "asdfghjkl?", "zxcvbnm,.!",
                                        "\u0105\u0107\u0119\u0142\u0144\u00f3\u015b\u017a\u017c"});
    static const Rows urdu =
        rows_of({"\u0627\u0628\u067e\u062a\u0679\u062b\u062c\u0686\u062d\u062e",
                 "\u062f\u0688\u0630\u0631\u0691\u0632\u0698\u0633\u0634\u0635",
                 "\u0636\u0637\u0638\u0639\u063a\u0641\u0642\u06a9\u06af\u0644",
                 "\u0645\u0646\u06ba\u0648\u06c1\u06be\u0621\u06cc\u06d2\u0622",
                 "\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9\u06f0", "\u060c\u06d4\u061f!"});
    static const Rows gurmukhi =
        rows_of({"\u0a73\u0a05\u0a72\u0a38\u0a39\u0a15\u0a16\u0a17\u0a18\u0a19",
                 "\u0a1a\u0a1b\u0a1c\u0a1d\u0a1e\u0a1f\u0a20\u0a21\u0a22\u0a23",
                 "\u0a24\u0a25\u0a26\u0a27\u0a28\u0a2a\u0a2b\u0a2c\u0a2d\u0a2e",
                 "\u0a2f\u0a30\u0a32\u0a35\u0a5c\u0a36\u0a5b\u0a5e\u0a3c\u0a4d",
                 "\u0a3e\u0a3f\u0a40\u0a41\u0a42\u0a47\u0a48\u0a4b\u0a4c\u0a02", "\u0a70\u0a71\u0964?!"});
    static const Rows codes = rows_of({"1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM/._"});
    if (lang == "pl") return polish;
    if (lang == "ur") return urdu;
    if (lang == "pa-Guru" || lang == "pa") return gurmukhi;
    static const Rows url = rows_of({"1234567890", "qwertyuiop", "asdfghjkl:", "zxcvbnm/.-"});
    if (lang == "codes") return codes;
    if (lang == "url") return url;
    return latin;
}

const std::vector<std::string>& keyboard_layouts() {
    static const std::vector<std::string> all = {"en", "pl", "ur", "pa-Guru", "codes", "url"};
    return all;
}

} // namespace sayso::text
