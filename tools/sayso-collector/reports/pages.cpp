#include "pages.hpp"

#include "recode.hpp"

#include "formats/formats.hpp"

#include <cmath>
#include <set>
#include <sstream>

namespace sayso::collector::reports {

using formats::csv_row;

namespace {

const char* const kStyle = R"css(
:root { --ink:#1d2a2e; --muted:#5b6b70; --line:#d9e2e4; --teal:#1f6f78; --pos:#2e7d32; --mid:#e0a000; --neg:#c62828;
        --skip:#9aa5a8; --other:#5c7cba; --paper:#fffdf8; --flag:#b71c1c; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 "Noto Sans", "DejaVu Sans", system-ui, sans-serif; color: var(--ink); background: var(--paper); }
header.bar { display: flex; align-items: center; gap: 1.5rem; padding: .7rem 1.5rem; background: var(--teal); color: #fff; }
header.bar a { color: #fff; text-decoration: none; }
header.bar .brand { font-weight: 700; font-size: 1.15rem; }
header.bar nav { display: flex; gap: 1rem; flex: 1; }
header.bar nav a { padding: .2rem .5rem; border-radius: .3rem; }
header.bar nav a.on { background: rgba(255,255,255,.2); }
header.bar .who { font-size: .9rem; display: flex; gap: .6rem; align-items: center; }
header.bar button { font: inherit; background: #fff; color: var(--teal); border: 0; border-radius: .3rem; padding: .2rem .6rem; cursor: pointer; }
main { max-width: 72rem; margin: 0 auto; padding: 1.2rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: .3rem 0 .2rem; color: var(--teal); }
h2 { font-size: 1.2rem; margin: 1.8rem 0 .6rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
p.lead { color: var(--muted); margin: 0 0 1rem; }
form.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: .8rem 1rem; }
form.filters label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); gap: .15rem; }
input, select, textarea { font: inherit; padding: .35rem .5rem; border: 1px solid #b8c4c7; border-radius: .3rem; background: #fff; }
button.go { font: inherit; background: var(--teal); color: #fff; border: 0; border-radius: .3rem; padding: .45rem 1rem; cursor: pointer; }
.downloads { font-size: .85rem; margin: .5rem 0 0; color: var(--muted); }
.downloads a { color: var(--teal); margin-right: .8rem; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: .7rem 1rem; min-width: 10rem; }
.card .n { font-size: 1.8rem; font-weight: 700; color: var(--teal); }
.card .l { font-size: .85rem; color: var(--muted); }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .4rem .55rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
th { font-size: .8rem; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.few { color: var(--muted); font-style: italic; }
.key { display: flex; gap: 1rem; font-size: .85rem; color: var(--muted); margin: .3rem 0 .6rem; flex-wrap: wrap; }
.key i { display: inline-block; width: .8rem; height: .8rem; border-radius: .15rem; margin-right: .3rem; vertical-align: -1px; }
.flag { background: #fdecea; border-left: 6px solid var(--flag); color: var(--flag); padding: .7rem 1rem; border-radius: .3rem; margin: .8rem 0; font-weight: 600; }
.note { background: #eef5f6; border-left: 6px solid var(--teal); padding: .6rem 1rem; border-radius: .3rem; margin: .8rem 0; }
.response { background: #fff; border: 1px solid var(--line); border-radius: .6rem; padding: .8rem 1.1rem; margin: 1rem 0; page-break-inside: avoid; }
.response.talk { border: 2px solid var(--flag); }
.response h3 { margin: 0 0 .4rem; font-size: 1.05rem; }
.response .meta { color: var(--muted); font-size: .85rem; margin-bottom: .5rem; }
.answer { display: grid; grid-template-columns: 1fr 1.2fr; gap: .8rem; padding: .5rem 0; border-top: 1px dashed var(--line); align-items: center; }
.answer .q { font-weight: 600; }
.answer .q small { display: block; font-weight: 400; color: var(--muted); }
.picks { display: flex; gap: .6rem; flex-wrap: wrap; }
.pick { display: flex; align-items: center; gap: .4rem; background: #f6f9f9; border-radius: .4rem; padding: .2rem .6rem .2rem .2rem; }
.pick img { width: 44px; height: 44px; object-fit: contain; }
.skipped { color: var(--muted); font-style: italic; }
p.warning { background: #fff3e0; border-left: 4px solid var(--neg); padding: .5rem .8rem; }
blockquote { margin: 0; padding: .4rem .8rem; border-left: 4px solid var(--teal); background: #f6f9f9; white-space: pre-wrap; }
ul.comments { list-style: none; padding: 0; }
ul.comments li { margin: .6rem 0; }
ul.comments .meta { font-size: .8rem; color: var(--muted); }
.poster { display: grid; gap: 1.2rem; }
.saiddid { display: grid; grid-template-columns: 1fr 1fr; gap: 0; border: 3px solid var(--teal); border-radius: 1rem; overflow: hidden; background: #fff; page-break-inside: avoid; }
.saiddid > div { padding: 1rem 1.3rem; }
.saiddid .said { background: #fff6dc; }
.saiddid .did { background: #e3f4ef; }
.saiddid h3 { margin: 0 0 .4rem; font-size: 1.5rem; }
.saiddid p { font-size: 1.2rem; margin: .3rem 0; }
.saiddid .measure { grid-column: 1 / 3; background: var(--teal); color: #fff; padding: .5rem 1.3rem; font-weight: 600; }
.saiddid .figure { font-size: .95rem; color: var(--muted); }
form.add { background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; display: grid; gap: .6rem; max-width: 40rem; }
form.add label { display: flex; flex-direction: column; gap: .2rem; font-size: .9rem; color: var(--muted); }
form.add button { justify-self: start; }
.login { max-width: 24rem; margin: 4rem auto; background: #fff; border: 1px solid var(--line); border-radius: .8rem; padding: 1.5rem 1.8rem; }
.login label { display: flex; flex-direction: column; gap: .2rem; margin: .8rem 0; font-size: .9rem; }
.problem { color: var(--flag); font-weight: 600; }
svg.bar { width: 100%; min-width: 6rem; max-width: 260px; height: 18px; display: block; }
svg.trend { width: 100%; max-width: 640px; height: auto; }
svg text { font: 11px "Noto Sans", "DejaVu Sans", sans-serif; fill: var(--muted); }
@page { size: A4; margin: 14mm; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  header.bar nav, header.bar form, form.filters, form.add, .downloads, .no-print { display: none !important; }
  header.bar { background: #fff; color: var(--teal); padding: 0 0 .4rem; border-bottom: 2px solid var(--teal); }
  header.bar a { color: var(--teal); }
  main { max-width: none; padding: 0; }
  h2 { page-break-after: avoid; }
  tr, .card, .response, .saiddid { page-break-inside: avoid; }
  .saiddid h3 { font-size: 18pt; } .saiddid p { font-size: 14pt; }
  th, td { padding: .25rem .35rem; font-size: 9pt; }
  svg.bar { min-width: 3rem; }
}
)css";

int pct(std::int64_t n, std::int64_t d) {
    return d > 0 ? static_cast<int>(std::lround(100.0 * static_cast<double>(n) / static_cast<double>(d))) : 0;
}

std::string name_of(const std::string& dim, const std::string& value) {
    if (dim == "service_area") return service_area_name(value);
    if (value.empty()) return "Not given";
    // Small groups published together (recode.hpp).
    if (value == kKeptTogether) return dim == "month" ? "Months kept together" : "Others, kept together";
    if (dim == "band") return "Age " + value;
    if (dim == "visit_type") {
        std::string v = value;
        if (!v.empty()) v[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
        return v;
    }
    return value;
}

std::string dimension_title(const std::string& dim) {
    if (dim == "band") return "Age band";
    if (dim == "visit_type") return "Visit type";
    if (dim == "service_area") return "Service area";
    if (dim == "practitioner_code") return "Practitioner code";
    return "Month";
}

std::string month_name(const std::string& ym) {
    static const char* names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (ym == kKeptTogether) return "Months kept together";
    if (ym.size() != 7) return ym;
    const int m = std::atoi(ym.substr(5, 2).c_str());
    return m >= 1 && m <= 12 ? std::string(names[m - 1]) + " " + ym.substr(0, 4) : ym;
}

// A bar split into the shares of an answer group, with the words for a screen reader.
std::string stacked_bar(const Figure& f, int width = 260) {
    if (f.suppressed || f.answers == 0) return "";
    struct Part {
        std::int64_t n;
        const char* colour;
        const char* word;
    };
    const Part parts[] = {{f.positive, "var(--pos)", "positive"},
                          {f.middling, "var(--mid)", "middling"},
                          {f.negative, "var(--neg)", "negative"},
                          {f.other, "var(--other)", "answered"},
                          {f.skipped, "var(--skip)", "skipped"}};
    std::ostringstream svg, label;
    double x = 0;
    for (const auto& p : parts) {
        if (p.n == 0) continue;
        const double w = static_cast<double>(width) * static_cast<double>(p.n) / static_cast<double>(f.answers);
        svg << "<rect x=\"" << x << "\" y=\"0\" width=\"" << w << "\" height=\"18\" fill=\"" << p.colour << "\"/>";
        label << pct(p.n, f.answers) << "% " << p.word << ", ";
        x += w;
    }
    std::string l = label.str();
    if (l.size() >= 2) l.resize(l.size() - 2);
    return "<svg class=\"bar\" viewBox=\"0 0 " + std::to_string(width) + " 18\" preserveAspectRatio=\"none\" "
           "role=\"img\" aria-label=\"" + l + "\">" + svg.str() + "</svg>";
}

// % positive by month, as a line with its points; gaps where figures are hidden.
std::string trend_chart(const std::vector<std::string>& months, const std::map<std::string, Figure>& by_month) {
    const int w = 640, h = 150, left = 36, bottom = 24, top = 8;
    const int n = static_cast<int>(months.size());
    if (n == 0) return "";
    auto xpos = [&](int i) { return left + (n == 1 ? (w - left) / 2 : i * (w - left - 20) / (n - 1) + 10); };
    auto ypos = [&](int p) { return top + (h - top - bottom) * (100 - p) / 100; };
    std::ostringstream svg;
    svg << "<svg class=\"trend\" viewBox=\"0 0 " << w << " " << h
        << "\" role=\"img\" aria-label=\"Share of positive answers by month\">";
    for (int p : {0, 50, 100}) {
        svg << "<line x1=\"" << left << "\" x2=\"" << w << "\" y1=\"" << ypos(p) << "\" y2=\"" << ypos(p)
            << "\" stroke=\"#d9e2e4\"/><text x=\"0\" y=\"" << ypos(p) + 4 << "\">" << p << "%</text>";
    }
    std::string path;
    for (int i = 0; i < n; ++i) {
        auto it = by_month.find(months[i]);
        const bool shown = it != by_month.end() && !it->second.suppressed &&
                           it->second.positive + it->second.middling + it->second.negative > 0;
        if (i % std::max(1, n / 8) == 0 || i == n - 1)
            svg << "<text x=\"" << xpos(i) << "\" y=\"" << h - 6 << "\" text-anchor=\""
                << (i == 0 && n > 1 ? "start" : i == n - 1 && n > 1 ? "end" : "middle") << "\">"
                << esc(month_name(months[i])) << "</text>";
        if (!shown) {
            path += " ";
            continue;
        }
        const auto& f = it->second;
        const int p = pct(f.positive, f.positive + f.middling + f.negative);
        path += (path.empty() || path.back() == ' ' ? "M" : "L") + std::to_string(xpos(i)) + "," + std::to_string(ypos(p));
        svg << "<circle cx=\"" << xpos(i) << "\" cy=\"" << ypos(p) << "\" r=\"3.5\" fill=\"var(--pos)\"/>";
    }
    // Each run of shown months is its own line (a hidden month starts a new "M").
    svg << "<path d=\"" << path << "\" fill=\"none\" stroke=\"var(--pos)\" stroke-width=\"2\"/></svg>";
    return svg.str();
}

std::string figure_cells(const Figure& f, int threshold, bool with_bar) {
    if (f.suppressed)
        return "<td class=\"few\" colspan=\"" + std::to_string(with_bar ? 7 : 6) + "\" data-k=\"suppressed\">" +
               fewer_than(threshold) + " children</td>";
    auto cell = [&](const char* k, std::int64_t n) {
        return "<td class=\"num\" data-k=\"" + std::string(k) + "\" data-v=\"" + std::to_string(n) + "\">" +
               std::to_string(pct(n, f.answers)) + "%</td>";
    };
    std::string s = "<td class=\"num\" data-k=\"children\" data-v=\"" + std::to_string(f.children) + "\">" +
                    std::to_string(f.children) + "</td>";
    if (with_bar) s += "<td style=\"width:30%\">" + stacked_bar(f) + "</td>";
    s += cell("positive", f.positive) + cell("middling", f.middling) + cell("negative", f.negative) +
         cell("skipped", f.skipped) +
         "<td class=\"num\" data-k=\"answers\" data-v=\"" + std::to_string(f.answers) + "\">" +
         std::to_string(f.answers) + "</td>";
    return s;
}

const char* const kKey =
    "<div class=\"key\"><span><i style=\"background:var(--pos)\"></i>positive (happy, yes)</span>"
    "<span><i style=\"background:var(--mid)\"></i>middling (OK, not sure)</span>"
    "<span><i style=\"background:var(--neg)\"></i>negative (sad, no)</span>"
    "<span><i style=\"background:var(--other)\"></i>answered with pictures</span>"
    "<span><i style=\"background:var(--skip)\"></i>preferred not to say</span></div>";

std::string option_select(const char* name, const std::string& current,
                          const std::vector<std::pair<std::string, std::string>>& choices) {
    std::string s = "<select name=\"" + std::string(name) + "\">";
    for (const auto& [v, label] : choices)
        s += "<option value=\"" + esc(v) + "\"" + (v == current ? " selected" : "") + ">" + esc(label) + "</option>";
    return s + "</select>";
}

std::string csrf_field(const Session& s) { return "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(s.csrf) + "\">"; }

// Where a picture shown with an answer comes from: the collector serves it from the pack.
std::string picture_url(const std::string& pack, const std::string& band, const std::string& q, const std::string& o) {
    return "/picture?pack=" + url_encode(pack) + "&band=" + url_encode(band) + "&q=" + url_encode(q) +
           "&o=" + url_encode(o);
}

std::string response_html(const Packs& packs, const ChildResponse& r) {
    const pack::Pack* p = nullptr;
    if (auto it = packs.find(r.pack_id); it != packs.end()) p = it->second.get();
    const pack::Band* band = p ? p->band(r.band) : nullptr;
    std::string lang = r.language.empty() && p ? p->first_language() : r.language;
    std::string h = "<section class=\"response" + std::string(r.asked_to_talk ? " talk" : "") +
                    "\" data-response=\"" + esc(r.id) + "\">";
    h += "<h3>" + esc(r.started_at.substr(0, 10)) + " &middot; " + esc(name_of("visit_type", r.visit_type)) + "</h3>";
    h += "<div class=\"meta\">Case " + esc(r.case_ref) + " &middot; " + esc(name_of("band", r.band)) + " &middot; " +
         esc(service_area_name(r.service_area)) +
         (r.practitioner_code.empty() ? "" : " &middot; practitioner " + esc(r.practitioner_code)) +
         (r.complete ? "" : " &middot; <strong>stopped before the end</strong>") + "</div>";
    if (r.asked_to_talk)
        h += "<div class=\"flag\" data-flag=\"asked_to_talk\">The child asked to talk to someone.</div>";
    if (r.answers.empty()) h += "<p class=\"skipped\">No answers were given.</p>";
    for (const auto& a : r.answers) {
        const pack::Question* q = nullptr;
        if (band)
            for (const auto& x : band->questions)
                if (x.id == a.question_id) q = &x;
        h += "<div class=\"answer\" data-question=\"" + esc(a.question_id) + "\"><div class=\"q\">";
        if (q) {
            h += esc(p->text(q->text, lang));
            if (lang != p->first_language()) h += "<small>" + esc(p->text(q->text, p->first_language())) + "</small>";
        } else {
            h += esc(a.question_id);
        }
        h += "</div><div>";
        if (!a.unopened.empty()) {
            h += "<span class=\"skipped\" data-k=\"unopened\">This answer can't be opened: " + esc(a.unopened) +
                 ".</span>";
        } else if (a.skipped) {
            h += "<span class=\"skipped\">Preferred not to say" +
                 (p && band ? " (\u201c" + esc(p->word(*band, "skip", lang)) + "\u201d)" : std::string()) + "</span>";
        } else if (a.kind == "text") {
            h += a.text.empty() ? "<span class=\"skipped\">Nothing written</span>"
                                : "<blockquote data-k=\"text\">" + esc(a.text) + "</blockquote>";
        } else {
            h += "<div class=\"picks\">";
            for (const auto& o : a.options) {
                const pack::Option* opt = q ? q->option(o) : nullptr;
                h += "<span class=\"pick\" data-option=\"" + esc(o) + "\">";
                if (opt && !opt->picture.empty())
                    h += "<img alt=\"\" src=\"" + esc(picture_url(r.pack_id, r.band, a.question_id, o)) + "\">";
                h += esc(opt && band ? p->label(*band, *opt, lang) : o) + "</span>";
            }
            h += "</div>";
        }
        h += "</div></div>";
    }
    return h + "</section>";
}

std::string responses_body(const Packs& packs, const std::vector<ChildResponse>& responses) {
    std::string h;
    int talks = 0;
    for (const auto& r : responses) talks += r.asked_to_talk ? 1 : 0;
    if (talks > 0)
        h += "<div class=\"flag\">Safeguarding: " + std::to_string(talks) +
             (talks == 1 ? " response says" : " responses say") +
             " the child asked to talk to someone. They are shown first.</div>";
    for (const auto& r : responses) h += response_html(packs, r);
    return h;
}

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

std::string url_encode(const std::string& value) {
    std::string out;
    for (unsigned char c : value) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char b[4];
            std::snprintf(b, sizeof b, "%%%02X", c);
            out += b;
        }
    }
    return out;
}

std::string fewer_than(int threshold) { return "fewer than " + std::to_string(threshold); }

std::string layout(const Page& page, const Session* s) {
    std::string h = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
                    esc(page.title) + " \u2013 Sayso reports</title><style>" + kStyle + "</style></head><body>";
    h += "<header class=\"bar\"><a class=\"brand\" href=\"/service\">Sayso reports</a>";
    if (s) {
        h += "<nav>";
        std::vector<std::pair<std::string, std::string>> items = {
            {"service", "The service"}, {"child", "One child"}, {"family", "A family"}, {"wedid", "You said, we did"}};
        if (s->user.role == Role::Admin) {
            items.push_back({"users", "Users"});
            items.push_back({"audit", "Audit log"});
        }
        for (const auto& [id, label] : items)
            h += "<a href=\"/" + id + "\"" + (id == page.active ? " class=\"on\"" : "") + ">" + label + "</a>";
        h += "</nav><span class=\"who\">" + esc(s->user.name) + " (" + esc(role_name(s->user.role)) +
             ")<form method=\"post\" action=\"/logout\">" + csrf_field(*s) + "<button>Sign out</button></form></span>";
    }
    h += "</header><main>" + page.body + "</main></body></html>";
    return h;
}

std::string login_page(const std::string& next, const std::string& problem, const std::string& form_token) {
    std::string b = "<div class=\"login\"><h1>Sign in</h1><p class=\"lead\">Reports of what children said. "
                    "Every page you open is recorded.</p>";
    if (!problem.empty()) b += "<p class=\"problem\">" + esc(problem) + "</p>";
    b += "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"next\" value=\"" + esc(next) +
         "\"><input type=\"hidden\" name=\"signin\" value=\"" + esc(form_token) + "\"><label>Name<input name=\"name\" autocomplete=\"username\" required autofocus></label>"
         "<label>Password<input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>"
         "<button class=\"go\">Sign in</button></form></div>";
    return layout({"Sign in", "", b}, nullptr);
}

std::string message_page(const Session* s, const std::string& title, const std::string& words) {
    return layout({title, "", "<h1>" + esc(title) + "</h1><p>" + esc(words) + "</p>"}, s);
}

std::string service_page(const Session& s, const ServiceView& v, const Filters& f, const std::string& query) {
    const Reader& u = s.user;
    std::string b = "<h1>What children said</h1><p class=\"lead\">";
    if (u.role == Role::Manager) b += "Your service: " + esc(service_area_name(u.service_area)) + ". ";
    if (u.role == Role::Practitioner) b += "Responses given at your visits (code " + esc(u.practitioner_code) + "). ";
    b += "Figures from fewer than " + std::to_string(v.threshold) + " children are not shown" +
         (v.round_to > 1 ? ", and every count is rounded to the nearest " + std::to_string(v.round_to) : std::string()) +
         ", so no child can be picked out.</p>";
    // Filters, as a plain GET form.
    std::vector<std::pair<std::string, std::string>> areas = {{"", "All"}};
    for (const auto& a : known_service_areas()) areas.push_back({a, service_area_name(a)});
    std::vector<std::pair<std::string, std::string>> visits = {{"", "All"},        {"assessment", "Assessment"},
                                                               {"plan", "Plan"},   {"review", "Review"},
                                                               {"visit", "Visit"}};
    std::vector<std::pair<std::string, std::string>> bands = {{"", "All"},         {"4-7", "4\u20137"},
                                                              {"8-11", "8\u201311"}, {"12-17", "12\u201317"},
                                                              {"16-25", "16\u201325"}};
    std::vector<std::pair<std::string, std::string>> dims;
    for (const auto& d : breakdown_dimensions()) dims.push_back({d, dimension_title(d)});
    b += "<form class=\"filters\" method=\"get\" action=\"/service\">";
    if (u.role != Role::Manager) b += "<label>Service area" + option_select("service_area", f.service_area, areas) + "</label>";
    b += "<label>Visit type" + option_select("visit_type", f.visit_type, visits) + "</label>";
    b += "<label>Age band" + option_select("band", f.band, bands) + "</label>";
    if (u.role != Role::Practitioner)
        b += "<label>Practitioner code<input name=\"practitioner_code\" size=\"10\" value=\"" + esc(f.practitioner_code) +
             "\"></label>";
    b += "<label>From<input type=\"month\" name=\"from\" value=\"" + esc(f.month_from) + "\"></label>";
    b += "<label>To<input type=\"month\" name=\"to\" value=\"" + esc(f.month_to) + "\"></label>";
    b += "<label>Break down by" + option_select("by", f.by, dims) + "</label>";
    b += "<button class=\"go\">Show</button></form>";
    const std::string q = query.empty() ? "" : "&" + esc(query);
    b += "<p class=\"downloads\">Download CSV: <a href=\"/service.csv?table=measures" + q + "\">measures</a>"
         "<a href=\"/service.csv?table=trend" + q + "\">by month</a><a href=\"/service.csv?table=breakdown" + q +
         "\">breakdown</a><a href=\"/service.csv?table=completion" + q + "\">responses</a>"
         "<a href=\"/service.csv?table=comments" + q + "\">comments</a></p>";

    for (const auto& [key, n] : v.unopened)
        b += "<p class=\"warning\" data-k=\"unopened\">" + std::to_string(n) + " answer" + (n == 1 ? "" : "s") +
             " sealed to key \u201c" + esc(key) +
             "\u201d can't be opened with the keys this site was given, so they are in no figure here. Restore that "
             "key (sayso-collector keys restore) and start the reports with it.</p>";
    // Headline counts.
    b += "<div class=\"cards\" data-section=\"counts\">";
    if (v.counts.suppressed) {
        b += "<div class=\"card\"><div class=\"n\" data-k=\"suppressed\">" + fewer_than(v.threshold) +
             "</div><div class=\"l\">children in this selection</div></div>";
    } else {
        b += "<div class=\"card\"><div class=\"n\" data-k=\"responses\" data-v=\"" + std::to_string(v.counts.responses) +
             "\">" + std::to_string(v.counts.responses) + "</div><div class=\"l\">responses</div></div>";
        b += "<div class=\"card\"><div class=\"n\" data-k=\"children\" data-v=\"" + std::to_string(v.counts.children) +
             "\">" + std::to_string(v.counts.children) + "</div><div class=\"l\">children</div></div>";
        b += "<div class=\"card\"><div class=\"n\" data-k=\"completion\" data-v=\"" +
             std::to_string(pct(v.counts.complete, v.counts.responses)) + "\">" +
             std::to_string(pct(v.counts.complete, v.counts.responses)) +
             "%</div><div class=\"l\">answered to the end</div></div>";
    }
    b += "</div>";

    b += "<h2>Each measure</h2>" + std::string(kKey);
    b += "<table data-section=\"measures\"><tr><th>Measure</th><th class=\"num\">Children</th><th></th>"
         "<th class=\"num\">Positive</th><th class=\"num\">Middling</th><th class=\"num\">Negative</th>"
         "<th class=\"num\">Skipped</th><th class=\"num\">Answers</th></tr>";
    for (const auto& m : v.measures)
        b += "<tr data-measure=\"" + esc(m.measure) + "\"><td>" + esc(measure_name(m.measure)) + "</td>" +
             figure_cells(m.figure, v.threshold, true) + "</tr>";
    if (v.measures.empty()) b += "<tr><td colspan=\"8\">No answers in this selection.</td></tr>";
    b += "</table>";

    b += "<h2>Over time</h2><p class=\"lead\">The share of positive answers among the ratings given, by month.</p>";
    b += "<table data-section=\"trend\"><tr><th>Measure</th>";
    for (const auto& mo : v.months) b += "<th class=\"num\">" + esc(month_name(mo)) + "</th>";
    b += "</tr>";
    for (const auto& mf : v.measures) {
        const auto t = v.trend.find(mf.measure);
        if (t == v.trend.end()) continue;
        const auto& [measure, by_month] = *t;
        b += "<tr data-measure=\"" + esc(measure) + "\"><td>" + esc(measure_name(measure)) + "</td>";
        for (const auto& mo : v.months) {
            auto it = by_month.find(mo);
            if (it == by_month.end()) b += "<td class=\"num\" data-month=\"" + esc(mo) + "\">\u2013</td>";
            else if (it->second.suppressed)
                b += "<td class=\"few\" data-month=\"" + esc(mo) + "\" data-k=\"suppressed\">" + fewer_than(v.threshold) + "</td>";
            else {
                const auto& x = it->second;
                const auto rated = x.positive + x.middling + x.negative;
                b += "<td class=\"num\" data-month=\"" + esc(mo) + "\" data-v=\"" + std::to_string(x.positive) + "/" +
                     std::to_string(rated) + "\">" + (rated ? std::to_string(pct(x.positive, rated)) + "%" : "\u2013") +
                     "</td>";
            }
        }
        b += "</tr>";
    }
    b += "</table>";
    for (const auto& mf : v.measures) {
        const auto t = v.trend.find(mf.measure);
        if (t == v.trend.end()) continue;
        const auto& [measure, by_month] = *t;
        int rated_months = 0;
        for (const auto& [mo, x] : by_month) rated_months += !x.suppressed && x.positive + x.middling + x.negative > 0;
        if (rated_months > 1)
            b += "<h3 style=\"font-size:1rem;margin:1rem 0 .2rem\">" + esc(measure_name(measure)) + "</h3>" +
                 trend_chart(v.months, by_month);
    }

    b += "<h2>By " + esc(dimension_title(f.by)) + "</h2><p class=\"lead\">The share of positive answers among the "
         "ratings given.</p><table data-section=\"breakdown\"><tr><th>" + esc(dimension_title(f.by)) +
         "</th><th class=\"num\">Responses</th><th class=\"num\">Children</th>";
    for (const auto& m : v.measures) b += "<th class=\"num\">" + esc(measure_name(m.measure)) + "</th>";
    b += "</tr>";
    for (const auto& g : v.groups) {
        b += "<tr data-group=\"" + esc(g) + "\"><td>" + esc(name_of(f.by, g)) + "</td>";
        auto c = v.group_counts.find(g);
        if (c == v.group_counts.end() || c->second.suppressed)
            b += "<td class=\"few\" colspan=\"2\" data-k=\"suppressed\">" + fewer_than(v.threshold) + " children</td>";
        else
            b += "<td class=\"num\" data-k=\"responses\" data-v=\"" + std::to_string(c->second.responses) + "\">" +
                 std::to_string(c->second.responses) + "</td><td class=\"num\" data-k=\"children\" data-v=\"" +
                 std::to_string(c->second.children) + "\">" + std::to_string(c->second.children) + "</td>";
        for (const auto& m : v.measures) {
            auto gi = v.breakdown.find(g);
            const Figure* x = nullptr;
            if (gi != v.breakdown.end())
                if (auto mi = gi->second.find(m.measure); mi != gi->second.end()) x = &mi->second;
            if (!x) b += "<td class=\"num\">\u2013</td>";
            else if (x->suppressed) b += "<td class=\"few\" data-measure=\"" + esc(m.measure) + "\" data-k=\"suppressed\">" + fewer_than(v.threshold) + "</td>";
            else {
                const auto rated = x->positive + x->middling + x->negative;
                b += "<td class=\"num\" data-measure=\"" + esc(m.measure) + "\" data-v=\"" + std::to_string(x->positive) +
                     "/" + std::to_string(rated) + "\">" + (rated ? std::to_string(pct(x->positive, rated)) + "%" : "\u2013") +
                     "</td>";
            }
        }
        b += "</tr>";
    }
    b += "</table>";

    b += "<h2>Responses by month</h2><table data-section=\"completion\"><tr><th>Month</th><th class=\"num\">Responses</th>"
         "<th class=\"num\">Children</th><th class=\"num\">Answered to the end</th></tr>";
    for (const auto& [mo, c] : v.month_counts) {
        b += "<tr data-month=\"" + esc(mo) + "\"><td>" + esc(month_name(mo)) + "</td>";
        if (c.suppressed) b += "<td class=\"few\" colspan=\"3\" data-k=\"suppressed\">" + fewer_than(v.threshold) + " children</td>";
        else
            b += "<td class=\"num\" data-k=\"responses\" data-v=\"" + std::to_string(c.responses) + "\">" +
                 std::to_string(c.responses) + "</td><td class=\"num\" data-k=\"children\" data-v=\"" +
                 std::to_string(c.children) + "\">" + std::to_string(c.children) +
                 "</td><td class=\"num\" data-k=\"complete\" data-v=\"" + std::to_string(c.complete) + "\">" +
                 std::to_string(pct(c.complete, c.responses)) + "%</td>";
        b += "</tr>";
    }
    b += "</table>";

    b += "<h2>In their own words</h2>";
    if (!v.comments_shown)
        b += "<p class=\"note\" data-section=\"comments-hidden\">Children's own words are shown only for groups of at least " +
             std::to_string(v.threshold) + " children.</p>";
    else if (v.comments.empty())
        b += "<p class=\"lead\">No written comments in this selection.</p>";
    else {
        b += "<ul class=\"comments\" data-section=\"comments\">";
        for (const auto& c : v.comments)
            // The month alone: a comment's band, visit and area would point at a few children.
            b += "<li><blockquote data-k=\"comment\">" + esc(c.text) + "</blockquote><span class=\"meta\">" +
                 esc(month_name(c.month)) + "</span></li>";
        b += "</ul>";
    }
    return layout({"The service", "service", b}, &s);
}

std::string service_csv(const ServiceView& v, const std::string& table) {
    const std::string few = fewer_than(v.threshold);
    std::string out;
    auto row = [&](const std::vector<std::string>& cells) { out += csv_row(cells); };
    auto figure_row = [&](std::vector<std::string> head, const Figure& f) {
        if (f.suppressed) {
            for (int i = 0; i < 7; ++i) head.push_back(few);
        } else {
            for (auto n : {f.children, f.answers, f.positive, f.middling, f.negative, f.skipped, f.other})
                head.push_back(std::to_string(n));
        }
        row(head);
    };
    const std::vector<std::string> figure_head = {"children", "answers", "positive", "middling", "negative", "skipped",
                                                  "answered_not_rating"};
    if (table == "trend") {
        std::vector<std::string> h = {"measure", "month"};
        h.insert(h.end(), figure_head.begin(), figure_head.end());
        row(h);
        for (const auto& [m, by] : v.trend)
            for (const auto& [mo, f] : by) figure_row({m, mo}, f);
    } else if (table == "breakdown") {
        std::vector<std::string> h = {"group", "measure"};
        h.insert(h.end(), figure_head.begin(), figure_head.end());
        row(h);
        for (const auto& [g, by] : v.breakdown)
            for (const auto& [m, f] : by) figure_row({g, m}, f);
    } else if (table == "completion") {
        row({"month", "responses", "children", "complete"});
        for (const auto& [mo, c] : v.month_counts)
            if (c.suppressed) row({mo, few, few, few});
            else row({mo, std::to_string(c.responses), std::to_string(c.children), std::to_string(c.complete)});
        if (v.counts.suppressed) row({"all", few, few, few});
        else row({"all", std::to_string(v.counts.responses), std::to_string(v.counts.children), std::to_string(v.counts.complete)});
    } else if (table == "comments") {
        row({"month", "comment"});
        if (!v.comments_shown) row({few + " children: not shown", ""});
        for (const auto& c : v.comments) row({c.month, c.text});
    } else {
        std::vector<std::string> h = {"measure", "statement"};
        h.insert(h.end(), figure_head.begin(), figure_head.end());
        row(h);
        for (const auto& m : v.measures) figure_row({m.measure, measure_name(m.measure)}, m.figure);
    }
    return out;
}

std::string child_page(const Session& s, const Packs& packs, const std::string& case_ref,
                       const std::vector<ChildResponse>& responses, Access access) {
    std::string b = "<h1>One child</h1><p class=\"lead\">Every response given under a case reference, each answer "
                    "as the child saw it.</p><form class=\"filters\" method=\"get\" action=\"/child\">"
                    "<label>Case reference<input name=\"case\" value=\"" + esc(case_ref) +
                    "\" required></label><button class=\"go\">Show</button></form>";
    if (!case_ref.empty()) {
        if (access == Access::NotFound) b += "<p class=\"note\">No responses carry the case reference " + esc(case_ref) + ".</p>";
        else if (access == Access::Denied) b += "<p class=\"problem\">You can't see this child's responses.</p>";
        else {
            b += "<p class=\"downloads\"><a href=\"/child.csv?case=" + esc(url_encode(case_ref)) + "\">Download CSV</a></p>";
            b += "<h2>Case " + esc(case_ref) + ": " + std::to_string(responses.size()) +
                 (responses.size() == 1 ? " response" : " responses") + "</h2>" + responses_body(packs, responses);
        }
    }
    return layout({"One child", "child", b}, &s);
}

std::string family_page(const Session& s, const Packs& packs, const std::string& family_ref,
                        const std::vector<std::string>& cases, const std::vector<ChildResponse>& responses,
                        Access access) {
    std::string b = "<h1>A family</h1><p class=\"lead\">The responses of several children an admin has grouped under "
                    "a family reference.</p><form class=\"filters\" method=\"get\" action=\"/family\">"
                    "<label>Family reference<input name=\"family\" value=\"" + esc(family_ref) +
                    "\" required></label><button class=\"go\">Show</button></form>";
    if (s.user.role == Role::Admin)
        b += "<form class=\"filters no-print\" method=\"post\" action=\"/family\" style=\"margin-top:.8rem\">" +
             csrf_field(s) + "<label>Case reference<input name=\"case\" required></label>"
             "<label>Family reference (empty: take it out)<input name=\"family\" value=\"" + esc(family_ref) +
             "\"></label><button class=\"go\">Group</button></form>";
    if (!family_ref.empty()) {
        if (access == Access::Denied) b += "<p class=\"problem\">You can't see this family's responses.</p>";
        else if (cases.empty()) b += "<p class=\"note\">No case references are grouped under " + esc(family_ref) + ".</p>";
        else {
            b += "<p class=\"downloads\"><a href=\"/family.csv?family=" + esc(url_encode(family_ref)) + "\">Download CSV</a></p>";
            for (const auto& c : cases) {
                std::vector<ChildResponse> mine;
                for (const auto& r : responses)
                    if (r.case_ref == c) mine.push_back(r);
                b += "<h2 data-case=\"" + esc(c) + "\">Case " + esc(c) + ": " + std::to_string(mine.size()) +
                     (mine.size() == 1 ? " response" : " responses") + "</h2>" + responses_body(packs, mine);
            }
        }
    }
    return layout({"A family", "family", b}, &s);
}

std::string responses_csv(const Packs& packs, const std::vector<ChildResponse>& responses) {
    std::string out = "case_ref,response_id,started_at,visit_type,band,service_area,practitioner_code,complete,"
                      "asked_to_talk,question_id,question,measure,skipped,options,text\r\n";
    for (const auto& r : responses) {
        const pack::Pack* p = nullptr;
        if (auto it = packs.find(r.pack_id); it != packs.end()) p = it->second.get();
        const pack::Band* band = p ? p->band(r.band) : nullptr;
        for (const auto& a : r.answers) {
            std::string question;
            if (band)
                for (const auto& q : band->questions)
                    if (q.id == a.question_id) question = p->text(q.text, p->first_language());
            std::vector<std::string> cells = {r.case_ref, r.id, r.started_at, r.visit_type, r.band, r.service_area,
                                              r.practitioner_code, r.complete ? "true" : "false",
                                              r.asked_to_talk ? "true" : "false", a.question_id, question, a.measure,
                                              a.skipped ? "true" : "false", formats::join_options(a.options), a.text};
            out += csv_row(cells);
        }
    }
    return out;
}

std::string we_did_page(const Session& s, const std::vector<WeDid>& entries, const std::vector<std::string>& measures,
                        int threshold) {
    std::string b = "<h1>You said, we did</h1><p class=\"lead\">What children told us, and what changed because of "
                    "it. Print this page as a poster for waiting rooms and children's groups.</p>"
                    "<p class=\"downloads\"><a href=\"/wedid.csv\">Download CSV</a></p><div class=\"poster\">";
    for (const auto& e : entries) {
        b += "<div class=\"saiddid\" data-entry=\"" + std::to_string(e.seq) + "\"><div class=\"measure\">" +
             esc(measure_name(e.measure)) + "</div><div class=\"said\"><h3>You said</h3><p>" + esc(e.you_said) + "</p>";
        if (e.figure.suppressed)
            b += "<p class=\"figure\" data-k=\"suppressed\">(" + fewer_than(threshold) + " children answered this.)</p>";
        else {
            const auto rated = e.figure.positive + e.figure.middling + e.figure.negative;
            if (rated > 0)
                b += "<p class=\"figure\" data-v=\"" + std::to_string(e.figure.positive) + "/" + std::to_string(rated) +
                     "\">" + std::to_string(pct(e.figure.positive, rated)) + " in every 100 answers were happy or yes.</p>";
        }
        b += "</div><div class=\"did\"><h3>We did</h3><p>" + esc(e.we_did) + "</p></div></div>";
    }
    if (entries.empty()) b += "<p class=\"note\">Nothing has been written here yet.</p>";
    b += "</div>";
    if (s.user.role == Role::Admin) {
        std::vector<std::pair<std::string, std::string>> choices;
        for (const auto& m : measures) choices.push_back({m, measure_name(m)});
        b += "<h2 class=\"no-print\">Add what changed</h2><form class=\"add\" method=\"post\" action=\"/wedid\">" +
             csrf_field(s) + "<label>Measure or theme " + option_select("measure", "", choices) + "</label>"
             "<label>You said (in words a child understands)<textarea name=\"you_said\" rows=\"3\" required></textarea></label>"
             "<label>We did<textarea name=\"we_did\" rows=\"3\" required></textarea></label>"
             "<button class=\"go\">Add</button></form>";
    }
    return layout({"You said, we did", "wedid", b}, &s);
}

std::string we_did_csv(const std::vector<WeDid>& entries, int threshold) {
    std::string out = "measure,statement,you_said,we_did,created_at,created_by,children,positive,rated\r\n";
    for (const auto& e : entries) {
        const auto rated = e.figure.positive + e.figure.middling + e.figure.negative;
        const std::string few = fewer_than(threshold);
        std::vector<std::string> cells = {e.measure, measure_name(e.measure), e.you_said, e.we_did, e.created_at,
                                          e.created_by,
                                          e.figure.suppressed ? few : std::to_string(e.figure.children),
                                          e.figure.suppressed ? few : std::to_string(e.figure.positive),
                                          e.figure.suppressed ? few : std::to_string(rated)};
        out += csv_row(cells);
    }
    return out;
}

std::string users_page(const Session& s, const std::vector<UserRow>& users, const std::string& message, bool problem) {
    std::string b = "<h1>Users</h1><p class=\"lead\">Who may read these reports. A manager sees their service "
                    "area; a practitioner, responses carrying their own code.</p>";
    if (!message.empty()) b += std::string("<p class=\"") + (problem ? "problem" : "note") + "\">" + esc(message) + "</p>";
    b += "<table data-section=\"users\"><tr><th>Name</th><th>Role</th><th>Service area</th><th>Practitioner code</th>"
         "<th></th></tr>";
    for (const auto& u : users) {
        b += "<tr data-user=\"" + esc(u.user.name) + "\"><td>" + esc(u.user.name) + "</td><td>" + esc(role_name(u.user.role)) +
             "</td><td>" + esc(u.user.role == Role::Manager ? service_area_name(u.user.service_area) : "") + "</td><td>" +
             esc(u.user.practitioner_code) + "</td><td>";
        if (u.disabled) b += "<span class=\"skipped\">cannot sign in</span>";
        else if (u.user.name != s.user.name)
            b += "<form method=\"post\" action=\"/users/disable\">" + csrf_field(s) +
                 "<input type=\"hidden\" name=\"name\" value=\"" + esc(u.user.name) +
                 "\"><button>Stop them signing in</button></form>";
        b += "</td></tr>";
    }
    b += "</table>";
    std::vector<std::pair<std::string, std::string>> roles = {
        {"practitioner", "Practitioner"}, {"manager", "Manager"}, {"admin", "Admin"}};
    std::vector<std::pair<std::string, std::string>> areas = {{"", "(managers only)"}};
    for (const auto& a : known_service_areas()) areas.push_back({a, service_area_name(a)});
    b += "<h2>Add someone, or change them</h2><form class=\"add\" method=\"post\" action=\"/users\">" + csrf_field(s) +
         "<label>Name<input name=\"name\" required></label><label>Role " + option_select("role", "practitioner", roles) +
         "</label><label>Service area (a manager's) " + option_select("service_area", "", areas) +
         "</label><label>Practitioner code (a practitioner's, as typed on the tablet)<input name=\"code\"></label>"
         "<label>Password (at least " + std::to_string(kMinPassword) +
         " characters)<input type=\"password\" name=\"password\" autocomplete=\"new-password\" required></label>"
         "<label>The same password again<input type=\"password\" name=\"again\" autocomplete=\"new-password\" "
         "required></label><button class=\"go\">Save</button></form>";
    return layout({"Users", "users", b}, &s);
}

std::string audit_page(const Session& s, const std::vector<AuditEntry>& entries) {
    std::string b = "<h1>Audit log</h1><p class=\"lead\">Who signed in, viewed, downloaded or was refused what; "
                    "enrolments, tokens and exports. Newest first.</p><table data-section=\"audit\"><tr><th>When (UTC)</th>"
                    "<th>What</th><th>Of</th><th>Who, and more</th></tr>";
    for (auto it = entries.rbegin(); it != entries.rend(); ++it)
        b += "<tr><td>" + esc(it->at.substr(0, 19)) + "</td><td>" + esc(it->event) + "</td><td>" + esc(it->subject) +
             "</td><td>" + esc(it->detail) + "</td></tr>";
    b += "</table>";
    return layout({"Audit log", "audit", b}, &s);
}

} // namespace sayso::collector::reports
