#include "render.hpp"

#include <map>
#include <stdexcept>

namespace sayso::collector::reports {

namespace {

const std::map<std::string, mustache::data>& partials() {
    static const std::map<std::string, mustache::data> all = [] {
        std::map<std::string, mustache::data> m;
        for (const auto& [name, text] : embedded_templates())
            m.emplace(name, mustache::data(text));
        return m;
    }();
    return all;
}

const std::string* text_of(const std::string& name) {
    for (const auto& [n, text] : embedded_templates())
        if (n == name) return &text;
    return nullptr;
}

// Partials by name from the compiled-in templates, never from the data, so a
// value can't stand in for a template.
class Context : public mustache::context<std::string> {
  public:
    explicit Context(const mustache::data* view) : mustache::context<std::string>(view) {}
    const mustache::data* get_partial(const std::string& name) const override {
        const auto& all = partials();
        auto it = all.find(name);
        return it == all.end() ? nullptr : &it->second;
    }
};

} // namespace

std::string esc(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string template_problem(const std::string& name, const std::string& text) {
    // {{=...=}} would change the delimiters, and with them what the check below sees.
    if (text.find("{{=") != std::string::npos) return "template \"" + name + "\" changes its delimiters";
    if (text.find("{{{") != std::string::npos || text.find("{{&") != std::string::npos)
        return "template \"" + name + "\" writes a value unescaped";
    // A partial that isn't there would be left out without a word.
    for (auto at = text.find("{{>"); at != std::string::npos; at = text.find("{{>", at + 3)) {
        const auto end = text.find("}}", at);
        if (end == std::string::npos) break; // the parser says what is wrong
        std::string partial = text.substr(at + 3, end - at - 3);
        partial.erase(0, partial.find_first_not_of(' '));
        partial.erase(partial.find_last_not_of(' ') + 1);
        if (!text_of(partial)) return "template \"" + name + "\" includes \"" + partial + "\", which is not a template";
    }
    mustache::mustache parsed{text};
    if (!parsed.is_valid()) return "template \"" + name + "\": " + parsed.error_message();
    return "";
}

std::string render(const std::string& name, const mustache::data& view) {
    static const std::map<std::string, std::string> problems = [] {
        std::map<std::string, std::string> m;
        for (const auto& [n, text] : embedded_templates())
            if (auto p = template_problem(n, text); !p.empty()) m.emplace(n, p);
        return m;
    }();
    // One unusable template makes every page unsafe to fill: refuse them all.
    if (!problems.empty()) throw std::logic_error(problems.begin()->second);
    const std::string* text = text_of(name);
    if (!text) throw std::logic_error("there is no template \"" + name + "\"");
    mustache::mustache tmpl{*text};
    tmpl.set_custom_escape([](const std::string& s) { return esc(s); });
    Context ctx{&view};
    std::string out = tmpl.render(ctx);
    if (!tmpl.is_valid()) throw std::logic_error("template \"" + name + "\": " + tmpl.error_message());
    return out;
}

std::string render_page(const std::string& name, const mustache::data& view) {
    // The stylesheet is not a partial: kainjow-mustache would parse its 6 kB on every page.
    static const std::string start = [] {
        const std::string* style = text_of("style");
        if (!style) throw std::logic_error("there is no stylesheet \"style\"");
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" "
               "content=\"width=device-width, initial-scale=1\"><style>\n" +
               *style + "</style>";
    }();
    return start + render(name, view);
}

} // namespace sayso::collector::reports
