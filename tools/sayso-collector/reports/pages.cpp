#include "pages.hpp"

#include "recode.hpp"
#include "render.hpp"

#include "formats/formats.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace sayso::collector::reports {

using formats::csv_row;
using mustache::data;
using mustache::list;
using mustache::object;

namespace {

int pct(std::int64_t n, std::int64_t d) {
    return d > 0 ? static_cast<int>(std::lround(100.0 * static_cast<double>(n) / static_cast<double>(d))) : 0;
}

data num(std::int64_t n) {
    return data(std::to_string(n));
}
// A value a section tests: false when there is none, so {{#x}} leaves it out.
data given(const std::string& s) {
    return s.empty() ? data(false) : data(s);
}
const char* plural(std::size_t n, const char* one, const char* many) {
    return n == 1 ? one : many;
}

std::string name_of(const Vocabulary& words, const std::string& dim, const std::string& value) {
    if (dim == "service_area") return words.service_area_name(value);
    if (value.empty()) return "Not given";
    // Small groups published together (recode.hpp).
    if (value == kKeptTogether) return dim == "month" ? "Months kept together" : "Others, kept together";
    if (dim == "band") return words.band_name(value);
    if (dim == "visit_type") return words.visit_type_name(value);
    return value;
}

// "All", then each of `named`, then `current` when it is none of them (a value only the data has).
std::vector<std::pair<std::string, std::string>> choices_of(const std::vector<Named>& named,
                                                            const std::string& current) {
    std::vector<std::pair<std::string, std::string>> out = {{"", "All"}};
    for (const auto& n : named)
        out.push_back({n.id, n.name});
    if (!current.empty() && std::none_of(named.begin(), named.end(), [&](const Named& n) { return n.id == current; }))
        out.push_back({current, current});
    return out;
}

// The view's measures in the order of the packs its figures come from (one
// pack's view in that pack's order); then those of other packs, then
// measures no pack declares, by id.
std::vector<MeasureFigure> in_order(const Vocabulary& words, const ServiceView& v) {
    // Only figures shown count: a hidden one's packs are not given away by the order.
    std::set<std::string> packs;
    for (const auto& m : v.measures)
        if (!m.figure.suppressed)
            if (auto it = v.sources.find(m.measure); it != v.sources.end())
                for (const auto& pv : it->second)
                    packs.insert(pv.id);
    const std::vector<std::string> order = words.measure_order(packs);
    auto rank = [&](const std::string& m) {
        const auto it = std::find(order.begin(), order.end(), m);
        return std::pair(it == order.end() ? 1 : 0,
                         it == order.end() ? words.measure_rank(m) : static_cast<int>(it - order.begin()));
    };
    std::vector<MeasureFigure> out = v.measures;
    std::stable_sort(out.begin(), out.end(),
                     [&](const MeasureFigure& a, const MeasureFigure& b) { return rank(a.measure) < rank(b.measure); });
    return out;
}

// "After my visit 1.0.0, Child protection and me 1.0.0": where a measure's answers come from.
std::string sources_of(const Vocabulary& words, const ServiceView& v, const std::string& measure) {
    std::string out;
    const auto it = v.sources.find(measure);
    if (it == v.sources.end()) return out;
    for (const auto& pv : it->second)
        out += (out.empty() ? "" : ", ") + words.pack_name(pv.id, pv.version);
    return out;
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

std::string decimal(double x) {
    std::ostringstream o;
    o << x;
    return o.str();
}

// The page's frame: its title, the menu for the signed-in reader, their form token.
data page(const std::string& title, const std::string& active, const Session* s) {
    data d;
    d.set("title", title);
    d.set("signed_in", s != nullptr);
    if (!s) return d;
    std::vector<std::pair<std::string, std::string>> items = {
        {"service", "The service"}, {"child", "One child"}, {"family", "A family"}, {"wedid", "You said, we did"}};
    if (s->user.role == Role::Admin) {
        items.push_back({"users", "Users"});
        items.push_back({"audit", "Audit log"});
    }
    list nav;
    for (const auto& [id, label] : items)
        nav.push_back(object{{"id", id}, {"label", label}, {"on", data(id == active)}});
    d.set("nav", nav);
    d.set("user_name", s->user.name);
    d.set("user_role", std::string(role_name(s->user.role)));
    d.set("csrf", s->csrf);
    d.set("admin", s->user.role == Role::Admin);
    return d;
}

// A drop-down (templates/_select.mustache).
data select(const std::string& name, const std::string& current,
            const std::vector<std::pair<std::string, std::string>>& choices) {
    list l;
    for (const auto& [v, label] : choices)
        l.push_back(object{{"value", v}, {"label", label}, {"selected", data(v == current)}});
    return object{{"name", name}, {"choices", l}};
}

// A bar split into the shares of an answer group, with the words for a screen reader.
data stacked_bar(const Figure& f) {
    if (f.suppressed || f.answers == 0) return data(false);
    const int width = 260;
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
    list rects;
    std::string words;
    double x = 0;
    for (const auto& p : parts) {
        if (p.n == 0) continue;
        const double w = static_cast<double>(width) * static_cast<double>(p.n) / static_cast<double>(f.answers);
        rects.push_back(object{{"x", decimal(x)}, {"w", decimal(w)}, {"colour", p.colour}});
        words += (words.empty() ? "" : ", ") + std::to_string(pct(p.n, f.answers)) + "% " + p.word;
        x += w;
    }
    return object{{"width", std::to_string(width)}, {"words", words}, {"parts", rects}};
}

// % positive by month, as a line with its points; gaps where figures are hidden.
data trend_chart(const std::vector<std::string>& months, const std::map<std::string, Figure>& by_month) {
    const int w = 640, h = 150, left = 36, bottom = 24, top = 8;
    const int n = static_cast<int>(months.size());
    auto xpos = [&](int i) { return left + (n == 1 ? (w - left) / 2 : i * (w - left - 20) / (n - 1) + 10); };
    auto ypos = [&](int p) { return top + (h - top - bottom) * (100 - p) / 100; };
    list grid, labels, points;
    for (int p : {0, 50, 100})
        grid.push_back(
            object{{"y", std::to_string(ypos(p))}, {"text_y", std::to_string(ypos(p) + 4)}, {"p", std::to_string(p)}});
    std::string path;
    for (int i = 0; i < n; ++i) {
        if (i % std::max(1, n / 8) == 0 || i == n - 1)
            labels.push_back(object{{"x", std::to_string(xpos(i))},
                                    {"y", std::to_string(h - 6)},
                                    {"anchor", i == 0 && n > 1       ? "start"
                                               : i == n - 1 && n > 1 ? "end"
                                                                     : "middle"},
                                    {"month", month_name(months[i])}});
        auto it = by_month.find(months[i]);
        const bool shown = it != by_month.end() && !it->second.suppressed &&
                           it->second.positive + it->second.middling + it->second.negative > 0;
        if (!shown) {
            path += " "; // each run of shown months is its own line: a hidden month starts a new "M"
            continue;
        }
        const auto& f = it->second;
        const int p = pct(f.positive, f.positive + f.middling + f.negative);
        path +=
            (path.empty() || path.back() == ' ' ? "M" : "L") + std::to_string(xpos(i)) + "," + std::to_string(ypos(p));
        points.push_back(object{{"x", std::to_string(xpos(i))}, {"y", std::to_string(ypos(p))}});
    }
    return object{{"width", std::to_string(w)},
                  {"height", std::to_string(h)},
                  {"left", std::to_string(left)},
                  {"grid", grid},
                  {"labels", labels},
                  {"points", points},
                  {"path", path}};
}

// One figure's cells (templates/_figure.mustache).
data figure_cells(const Figure& f, bool with_bar) {
    data d;
    d.set("suppressed", f.suppressed);
    d.set("colspan", std::to_string(with_bar ? 7 : 6));
    d.set("with_bar", with_bar);
    d.set("bar", stacked_bar(f));
    d.set("children", num(f.children));
    d.set("answers", num(f.answers));
    list shares;
    for (const auto& [k, n] : {std::pair<const char*, std::int64_t>{"positive", f.positive},
                               {"middling", f.middling},
                               {"negative", f.negative},
                               {"skipped", f.skipped}})
        shares.push_back(object{{"k", k}, {"n", num(n)}, {"pct", std::to_string(pct(n, f.answers))}});
    d.set("shares", shares);
    return d;
}

// The share of positive ratings in one cell of a table (templates/_share.mustache);
// `key` names the attribute that says which cell it is (data-month, data-measure).
data share_cell(const Figure* f, const std::string& key, const std::string& id, bool name_empty) {
    const std::int64_t rated = f ? f->positive + f->middling + f->negative : 0;
    return object{{"none", data(f == nullptr)},
                  {"named", data(name_empty)},
                  {"suppressed", data(f && f->suppressed)},
                  {"shown", data(f && !f->suppressed)},
                  {"key", key},
                  {"id", id},
                  {"positive", num(f ? f->positive : 0)},
                  {"rated", num(rated)},
                  {"share", rated && f ? std::to_string(pct(f->positive, rated)) + "%" : "\u2013"}};
}

data counts_of(const Counts& c) {
    return object{{"suppressed", data(c.suppressed)},
                  {"responses", num(c.responses)},
                  {"children", num(c.children)},
                  {"complete", num(c.complete)},
                  {"completion", std::to_string(pct(c.complete, c.responses))}};
}

// Where a picture shown with an answer comes from: the collector serves it from the pack, at the version answered.
std::string picture_url(const ChildResponse& r, const std::string& q, const std::string& o) {
    return "/picture?pack=" + url_encode(r.pack_id) + "&v=" + url_encode(r.pack_version) +
           "&band=" + url_encode(r.band) + "&q=" + url_encode(q) + "&o=" + url_encode(o);
}

// One response as the child saw it (templates/_response.mustache).
data response_of(const Vocabulary& words, const ChildResponse& r) {
    // Named as its own pack names them: two packs may call one visit type differently.
    const pack::Pack* p = words.pack_of(r.pack_id, r.pack_version);
    const pack::Band* band = p ? p->band(r.band) : nullptr;
    const pack::VisitType* visit = p ? p->visit_type(r.visit_type) : nullptr;
    const std::string lang = r.language.empty() && p ? p->first_language() : r.language;
    list answers;
    for (const auto& a : r.answers) {
        const pack::Question* q = nullptr;
        if (band)
            for (const auto& x : band->questions)
                if (x.id == a.question_id) q = &x;
        const bool opened = a.unopened.empty();
        const bool text = opened && !a.skipped && a.kind == "text";
        const bool picks = opened && !a.skipped && a.kind != "text" && a.kind != "draw" && a.kind != "voice";
        const bool drawing = opened && !a.skipped && a.kind == "draw" && a.clip_type == "image/png";
        const bool recording = opened && !a.skipped && a.kind == "voice" && a.clip_type == "audio/ogg";
        const std::string clip_of = "?response=" + url_encode(r.id) + "&q=" + url_encode(a.question_id);
        list options;
        if (picks)
            for (const auto& o : a.options) {
                const pack::Option* opt = q ? q->option(o) : nullptr;
                options.push_back(
                    object{{"id", o},
                           {"picture", given(opt && !opt->picture.empty() ? picture_url(r, a.question_id, o) : "")},
                           {"label", opt && band ? p->label(*band, *opt, lang) : o}});
            }
        answers.push_back(object{
            {"question_id", a.question_id},
            {"question", q ? p->text(q->text, lang) : a.question_id},
            {"in_first_language", given(q && lang != p->first_language() ? p->text(q->text, p->first_language()) : "")},
            {"unopened", given(a.unopened)},
            {"skipped", data(opened && a.skipped)},
            {"skip_word", given(opened && a.skipped && p && band ? p->word(*band, "skip", lang) : "")},
            {"nothing_written", data(text && a.text.empty())},
            {"text", given(text ? a.text : "")},
            {"picks", data(picks)},
            {"drawing", given(drawing ? "/drawing" + clip_of : "")},
            {"recording", given(recording ? "/recording" + clip_of : "")},
            {"options", options}});
    }
    return object{{"id", r.id},
                  {"asked_to_talk", data(r.asked_to_talk)},
                  {"date", r.started_at.substr(0, 10)},
                  {"visit", visit && p ? p->text(visit->label, Vocabulary::kLanguage)
                                       : name_of(words, "visit_type", r.visit_type)},
                  {"case_ref", r.case_ref},
                  {"pack", p ? p->text(p->title, Vocabulary::kLanguage) : r.pack_id},
                  {"band", band ? p->text(band->label, Vocabulary::kLanguage) : name_of(words, "band", r.band)},
                  {"area", words.service_area_name(r.service_area)},
                  {"code", given(r.practitioner_code)},
                  {"complete", data(r.complete)},
                  {"answers", answers}};
}

// Several responses, the safeguarding flags counted first (templates/_responses.mustache).
void add_responses(data& d, const Vocabulary& words, const std::vector<ChildResponse>& responses) {
    std::size_t talks = 0;
    list l;
    for (const auto& r : responses) {
        talks += r.asked_to_talk ? 1 : 0;
        l.push_back(response_of(words, r));
    }
    d.set("talks", talks ? data(std::to_string(talks)) : data(false));
    d.set("talks_words", std::string(plural(talks, "response says", "responses say")));
    d.set("responses", l);
    d.set("count", std::to_string(responses.size()));
    d.set("count_words", std::string(plural(responses.size(), "response", "responses")));
}

} // namespace

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

std::string fewer_than(int threshold) {
    return "fewer than " + std::to_string(threshold);
}

std::string login_page(const std::string& next, const std::string& problem, const std::string& form_token) {
    data d = page("Sign in", "", nullptr);
    d.set("problem", given(problem));
    d.set("next", next);
    d.set("form_token", form_token);
    return render_page("login", d);
}

std::string message_page(const Session* s, const std::string& title, const std::string& words) {
    data d = page(title, "", s);
    d.set("words", words);
    return render_page("message", d);
}

std::string service_page(const Session& s, const Vocabulary& words, const ServiceView& v, const Filters& f,
                         const std::string& query, const IndexStatus& counting) {
    const Reader& u = s.user;
    data d = page("The service", "service", &s);
    const std::string few = fewer_than(v.threshold);
    d.set("few", few);
    d.set("threshold", std::to_string(v.threshold));
    d.set("round_to", v.round_to > 1 ? data(std::to_string(v.round_to)) : data(false));
    d.set("manager", u.role == Role::Manager);
    d.set("area_name", words.service_area_name(u.service_area));
    d.set("practitioner", u.role == Role::Practitioner);
    d.set("code", u.practitioner_code);

    // Filters, as a plain GET form.
    std::vector<std::pair<std::string, std::string>> dims;
    for (const auto& dim : breakdown_dimensions())
        dims.push_back({dim, dimension_title(dim)});
    d.set("area_filter", u.role != Role::Manager
                             ? select("service_area", f.service_area, choices_of(words.service_areas(), f.service_area))
                             : data(false));
    d.set("visit_filter", select("visit_type", f.visit_type, choices_of(words.visit_types(), f.visit_type)));
    d.set("band_filter", select("band", f.band, choices_of(words.bands(), f.band)));
    d.set("code_filter", u.role != Role::Practitioner ? data(object{{"value", f.practitioner_code}}) : data(false));
    d.set("from", f.month_from);
    d.set("to", f.month_to);
    d.set("by_filter", select("by", f.by, dims));
    list downloads;
    for (const auto& [table, label] : std::vector<std::pair<const char*, const char*>>{{"measures", "measures"},
                                                                                       {"trend", "by month"},
                                                                                       {"breakdown", "breakdown"},
                                                                                       {"completion", "responses"},
                                                                                       {"comments", "comments"}})
        downloads.push_back(object{{"table", table}, {"label", label}, {"query", query.empty() ? "" : "&" + query}});
    d.set("downloads", downloads);

    d.set("counting", counting.waiting > 0 && counting.problem.empty()
                          ? data(object{{"count", num(counting.waiting)},
                                        {"responses", plural(counting.waiting, "response", "responses")}})
                          : data(false));
    d.set("counting_problem", counting.problem.empty() ? data(false) : data(object{{"words", counting.problem}}));
    list unopened;
    for (const auto& [key, n] : v.unopened)
        unopened.push_back(object{{"count", num(n)}, {"answers", plural(n, "answer", "answers")}, {"key", key}});
    d.set("unopened", unopened);
    d.set("counts", counts_of(v.counts));

    list measures, trend, groups, month_counts;
    groups.reserve(v.groups.size());
    trend.reserve(v.measures.size());
    const std::vector<MeasureFigure> ordered = in_order(words, v);
    std::set<std::string> packs_shown;
    for (const auto& m : ordered) {
        const std::string from = m.figure.suppressed ? "" : sources_of(words, v, m.measure);
        measures.push_back(object{{"id", m.measure},
                                  {"name", words.measure_name(m.measure)},
                                  {"from", given(from)},
                                  {"figure", figure_cells(m.figure, true)}});
        if (!m.figure.suppressed && v.sources.count(m.measure))
            for (const auto& pv : v.sources.at(m.measure))
                packs_shown.insert(words.pack_name(pv.id, pv.version));
    }
    d.set("measures", measures);
    std::string all_packs;
    for (const auto& p : packs_shown)
        all_packs += (all_packs.empty() ? "" : ", ") + p;
    d.set("packs", given(all_packs));
    d.set("several_packs", packs_shown.size() > 1);

    list months;
    for (const auto& mo : v.months)
        months.push_back(object{{"name", month_name(mo)}});
    d.set("months", months);
    for (const auto& mf : ordered) {
        const auto t = v.trend.find(mf.measure);
        if (t == v.trend.end()) continue;
        const auto& [measure, by_month] = *t;
        list cells;
        cells.reserve(v.months.size());
        int rated_months = 0;
        for (const auto& mo : v.months) {
            auto it = by_month.find(mo);
            cells.push_back(share_cell(it == by_month.end() ? nullptr : &it->second, "data-month", mo, true));
        }
        for (const auto& [mo, x] : by_month)
            rated_months += !x.suppressed && x.positive + x.middling + x.negative > 0;
        trend.push_back(object{{"id", measure},
                               {"name", words.measure_name(measure)},
                               {"cells", cells},
                               {"chart", rated_months > 1 ? trend_chart(v.months, by_month) : data(false)}});
    }
    d.set("trend", trend);

    d.set("by_title", dimension_title(f.by));
    for (const auto& g : v.groups) {
        auto c = v.group_counts.find(g);
        data row = counts_of(c == v.group_counts.end() ? Counts{true} : c->second);
        row.set("id", g);
        row.set("name", name_of(words, f.by, g));
        list cells;
        cells.reserve(ordered.size()); // kainjow's data copies whole, so no vector grows by copying
        auto gi = v.breakdown.find(g);
        for (const auto& m : ordered) {
            const Figure* x = nullptr;
            if (gi != v.breakdown.end())
                if (auto mi = gi->second.find(m.measure); mi != gi->second.end()) x = &mi->second;
            cells.push_back(share_cell(x, "data-measure", m.measure, false));
        }
        row.set("cells", cells);
        groups.push_back(std::move(row));
    }
    d.set("groups", groups);

    for (const auto& [mo, c] : v.month_counts) {
        data row = counts_of(c);
        row.set("id", mo);
        row.set("name", month_name(mo));
        month_counts.push_back(std::move(row));
    }
    d.set("month_counts", month_counts);

    list comments;
    // The month alone: a comment's band, visit and area would point at a few children.
    for (const auto& c : v.comments)
        comments.push_back(object{{"text", c.text}, {"month", month_name(c.month)}});
    d.set("comments_hidden", !v.comments_shown);
    d.set("no_comments", v.comments_shown && v.comments.empty());
    d.set("has_comments", v.comments_shown && !v.comments.empty());
    d.set("comments", comments);
    return render_page("service", d);
}

std::string service_csv(const Vocabulary& words, const ServiceView& v, const std::string& table) {
    const std::string few = fewer_than(v.threshold);
    std::string out;
    auto row = [&](const std::vector<std::string>& cells) { out += csv_row(cells); };
    // `tail` follows a shown figure; a hidden one leaves its cell empty.
    auto figure_row = [&](std::vector<std::string> head, const Figure& f, const std::string& tail = "",
                          bool with_tail = false) {
        if (f.suppressed) {
            for (int i = 0; i < 7; ++i)
                head.push_back(few);
        } else {
            for (auto n : {f.children, f.answers, f.positive, f.middling, f.negative, f.skipped, f.other})
                head.push_back(std::to_string(n));
        }
        if (with_tail) head.push_back(f.suppressed ? "" : tail);
        row(head);
    };
    const std::vector<std::string> figure_head = {"children", "answers", "positive",           "middling",
                                                  "negative", "skipped", "answered_not_rating"};
    auto counts_row = [&](const std::string& head, const Counts& c) {
        if (c.suppressed)
            row({head, few, few, few});
        else
            row({head, std::to_string(c.responses), std::to_string(c.children), std::to_string(c.complete)});
    };
    if (table == "trend") {
        std::vector<std::string> h = {"measure", "month"};
        h.insert(h.end(), figure_head.begin(), figure_head.end());
        row(h);
        for (const auto& [m, by] : v.trend)
            for (const auto& [mo, f] : by)
                figure_row({m, mo}, f);
    } else if (table == "breakdown") {
        std::vector<std::string> h = {"group", "measure"};
        h.insert(h.end(), figure_head.begin(), figure_head.end());
        row(h);
        for (const auto& [g, by] : v.breakdown)
            for (const auto& [m, f] : by)
                figure_row({g, m}, f);
    } else if (table == "completion") {
        row({"month", "responses", "children", "complete"});
        for (const auto& [mo, c] : v.month_counts)
            counts_row(mo, c);
        counts_row("all", v.counts);
    } else if (table == "comments") {
        row({"month", "comment"});
        if (!v.comments_shown) row({few + " children: not shown", ""});
        for (const auto& c : v.comments)
            row({c.month, c.text});
    } else {
        std::vector<std::string> h = {"measure", "statement"};
        h.insert(h.end(), figure_head.begin(), figure_head.end());
        h.push_back("from_packs");
        row(h);
        for (const auto& m : in_order(words, v))
            figure_row({m.measure, words.measure_name(m.measure)}, m.figure, sources_of(words, v, m.measure), true);
    }
    return out;
}

std::string child_page(const Session& s, const Vocabulary& words, const std::string& case_ref,
                       const std::vector<ChildResponse>& responses, Access access) {
    data d = page("One child", "child", &s);
    d.set("case_ref", case_ref);
    d.set("case_query", url_encode(case_ref));
    d.set("not_found", !case_ref.empty() && access == Access::NotFound);
    d.set("denied", !case_ref.empty() && access == Access::Denied);
    d.set("allowed", !case_ref.empty() && access == Access::Allowed);
    add_responses(d, words, responses);
    return render_page("child", d);
}

std::string family_page(const Session& s, const Vocabulary& words, const std::string& family_ref,
                        const std::vector<std::string>& cases, const std::vector<ChildResponse>& responses,
                        Access access, const std::vector<ChildResponse>& siblings) {
    data d = page("A family", "family", &s);
    d.set("family_ref", family_ref);
    d.set("family_query", url_encode(family_ref));
    const bool asked = !family_ref.empty(), denied = asked && access == Access::Denied;
    d.set("denied", denied);
    d.set("no_cases", asked && !denied && cases.empty());
    d.set("has_cases", asked && !denied && !cases.empty());
    list each;
    for (const auto& c : cases) {
        std::vector<ChildResponse> mine;
        for (const auto& r : responses)
            if (r.case_ref == c) mine.push_back(r);
        data one = object{{"case_ref", c}};
        add_responses(one, words, mine);
        each.push_back(one);
    }
    d.set("cases", each);
    // The next child of one of these visits, who answered without a case reference.
    if (!denied && !siblings.empty()) {
        data more = object{{"count", std::to_string(siblings.size())},
                           {"count_words", siblings.size() == 1 ? "response" : "responses"}};
        add_responses(more, words, siblings);
        d.set("siblings", more);
    }
    return render_page("family", d);
}

std::string responses_csv(const Vocabulary& words, const std::vector<ChildResponse>& responses) {
    std::string out =
        csv_row({"case_ref", "response_id", "started_at", "visit_type", "band", "service_area", "practitioner_code",
                 "complete", "asked_to_talk", "question_id", "question", "measure", "skipped", "options", "text"});
    for (const auto& r : responses) {
        const pack::Pack* p = words.pack_of(r.pack_id, r.pack_version);
        const pack::Band* band = p ? p->band(r.band) : nullptr;
        for (const auto& a : r.answers) {
            std::string question;
            if (band)
                for (const auto& q : band->questions)
                    if (q.id == a.question_id) question = p->text(q.text, p->first_language());
            out += csv_row({r.case_ref, r.id, r.started_at, r.visit_type, r.band, r.service_area, r.practitioner_code,
                            r.complete ? "true" : "false", r.asked_to_talk ? "true" : "false", a.question_id, question,
                            a.measure, a.skipped ? "true" : "false", formats::join_options(a.options), a.text});
        }
    }
    return out;
}

std::string we_did_page(const Session& s, const Vocabulary& words, const std::vector<WeDid>& entries,
                        const WeDidChoices& choose, int threshold) {
    data d = page("You said, we did", "wedid", &s);
    d.set("few", fewer_than(threshold));
    list l;
    for (const auto& e : entries) {
        const auto rated = e.figure.positive + e.figure.middling + e.figure.negative;
        l.push_back(object{{"seq", num(e.seq)},
                           {"measure", words.measure_name(e.measure)},
                           {"you_said", e.you_said},
                           {"we_did", e.we_did},
                           {"area", e.service_area.empty() ? std::string("Every service area")
                                                           : words.service_area_name(e.service_area)},
                           {"language", e.language},
                           {"on_tablets", !e.language.empty()},
                           {"suppressed", data(e.figure.suppressed)},
                           {"rated", !e.figure.suppressed && rated > 0 ? num(rated) : data(false)},
                           {"positive", num(e.figure.positive)},
                           {"share", std::to_string(pct(e.figure.positive, rated))}});
    }
    d.set("entries", l);
    std::vector<std::pair<std::string, std::string>> choices;
    for (const auto& m : choose.measures)
        choices.push_back({m, words.measure_name(m)});
    d.set("measure_select", select("measure", "", choices));
    std::vector<std::pair<std::string, std::string>> areas = {{"", "Every service area"}};
    for (const auto& a : choose.service_areas)
        areas.push_back({a, words.service_area_name(a)});
    d.set("area_select", select("service_area", "", areas));
    std::vector<std::pair<std::string, std::string>> languages;
    for (const auto& l : choose.languages)
        languages.push_back({l, l});
    d.set("language_select", select("language", choose.languages.empty() ? "" : choose.languages.front(), languages));
    return render_page("wedid", d);
}

std::string we_did_csv(const Vocabulary& words, const std::vector<WeDid>& entries, int threshold) {
    std::string out = csv_row({"measure", "statement", "you_said", "we_did", "created_at", "created_by", "service_area",
                               "language", "children", "positive", "rated"});
    const std::string few = fewer_than(threshold);
    for (const auto& e : entries) {
        const auto rated = e.figure.positive + e.figure.middling + e.figure.negative;
        const bool hidden = e.figure.suppressed;
        out += csv_row({e.measure, words.measure_name(e.measure), e.you_said, e.we_did, e.created_at, e.created_by,
                        e.service_area, e.language, hidden ? few : std::to_string(e.figure.children),
                        hidden ? few : std::to_string(e.figure.positive), hidden ? few : std::to_string(rated)});
    }
    return out;
}

std::string users_page(const Session& s, const Vocabulary& words, const std::vector<UserRow>& users,
                       const std::vector<std::string>& areas_known, const std::string& message, bool problem) {
    data d = page("Users", "users", &s);
    d.set("message",
          message.empty() ? data(false) : data(object{{"kind", problem ? "problem" : "note"}, {"words", message}}));
    list l;
    for (const auto& u : users)
        l.push_back(object{{"name", u.user.name},
                           {"role", std::string(role_name(u.user.role))},
                           {"area", u.user.role == Role::Manager ? words.service_area_name(u.user.service_area) : ""},
                           {"code", u.user.practitioner_code},
                           {"disabled", data(u.disabled)},
                           {"can_disable", data(!u.disabled && u.user.name != s.user.name)}});
    d.set("users", l);
    std::vector<std::pair<std::string, std::string>> areas = {{"", "(managers only)"}};
    for (const auto& a : areas_known)
        areas.push_back({a, words.service_area_name(a)});
    d.set("role_select", select("role", "practitioner",
                                {{"practitioner", "Practitioner"}, {"manager", "Manager"}, {"admin", "Admin"}}));
    d.set("area_select", select("service_area", "", areas));
    d.set("min_password", std::to_string(kMinPassword));
    return render_page("users", d);
}

std::string audit_page(const Session& s, const std::vector<AuditEntry>& entries) {
    data d = page("Audit log", "audit", &s);
    list l;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it)
        l.push_back(object{
            {"at", it->at.substr(0, 19)}, {"event", it->event}, {"subject", it->subject}, {"detail", it->detail}});
    d.set("entries", l);
    return render_page("audit", d);
}

} // namespace sayso::collector::reports
