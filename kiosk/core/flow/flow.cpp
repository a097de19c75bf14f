#include "flow/flow.hpp"

#include "formats/utf8.hpp"

#include <algorithm>

namespace sayso::flow {

const char* screen_name(Screen s) {
    switch (s) {
    case Screen::Locked: return "locked";
    case Screen::Practitioner: return "practitioner";
    case Screen::Welcome: return "welcome";
    case Screen::Intro: return "intro";
    case Screen::Question: return "question";
    case Screen::Talk: return "talk";
    case Screen::StillThere: return "still_there";
    case Screen::Thanks: return "thanks";
    case Screen::NextChild: return "next_child";
    case Screen::AdminPin: return "admin_pin";
    case Screen::Admin: return "admin";
    }
    return "?";
}

Flow::Flow(const Clock& clock, Recorder& recorder, Settings settings)
    : clock_(clock), recorder_(recorder), settings_(settings) {}

// --- PIN ------------------------------------------------------------------------

void Flow::set_locking(bool on) {
    locking_ = on;
    if (!on && screen_ == Screen::Locked) {
        screen_ = Screen::Practitioner;
        changed();
    }
}

bool Flow::lock() {
    if (!locking_ || screen_ != Screen::Practitioner) return false;
    screen_ = Screen::Locked;
    changed();
    return true;
}

bool Flow::unlock() {
    if (screen_ != Screen::Locked) return false;
    screen_ = Screen::Practitioner;
    last_touch_ = now();
    changed();
    return true;
}

bool Flow::open_admin(bool pin_needed) {
    if (screen_ != Screen::Practitioner && screen_ != Screen::Locked) return false;
    screen_ = pin_needed ? Screen::AdminPin : Screen::Admin;
    last_touch_ = now();
    changed();
    return true;
}

bool Flow::admin_unlock() {
    if (screen_ != Screen::AdminPin) return false;
    screen_ = Screen::Admin;
    changed();
    return true;
}

bool Flow::close_admin() {
    if (screen_ != Screen::AdminPin && screen_ != Screen::Admin) return false;
    // Leaving the admin screen locks the tablet again if there is a PIN.
    screen_ = locking_ ? Screen::Locked : Screen::Practitioner;
    last_touch_ = now();
    changed();
    return true;
}

void Flow::back_to_practitioner() {
    session_.reset();
    screen_ = locking_ ? Screen::Locked : Screen::Practitioner;
    band_.clear();
    case_ref_.clear(); // each child has their own
    changed();
}

// --- practitioner -----------------------------------------------------------

void Flow::select_pack(std::shared_ptr<const pack::Pack> pack) {
    if (screen_ != Screen::Practitioner) return;
    pack_ = std::move(pack);
    if (!pack_ || !pack_->band(band_)) band_.clear();
    if (!pack_ || !pack_->visit_type(visit_)) visit_.clear();
    changed();
}

bool Flow::select_band(const std::string& id) {
    if (screen_ != Screen::Practitioner || !pack_ || !pack_->band(id)) return false;
    band_ = id;
    changed();
    return true;
}

bool Flow::select_visit(const std::string& id) {
    if (screen_ != Screen::Practitioner || !pack_ || !pack_->visit_type(id)) return false;
    visit_ = id;
    changed();
    return true;
}

namespace {
// Codes and references are pseudonymous tokens, never names or free prose.
bool token_ok(const std::string& s) {
    if (s.size() > 40) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '/' || c == '.';
    });
}
} // namespace

bool Flow::set_practitioner_code(const std::string& code) {
    if (screen_ != Screen::Practitioner) return false;
    practitioner_code_ = code;
    changed();
    return token_ok(code);
}

bool Flow::set_case_ref(const std::string& ref) {
    if (screen_ != Screen::Practitioner) return false;
    case_ref_ = ref;
    changed();
    return case_ref_ok();
}

bool Flow::set_case_pattern(const std::string& pattern) {
    if (pattern.empty()) {
        case_pattern_.clear();
        case_re_.reset();
        changed();
        return true;
    }
    if (pattern.size() > 200) return false;
    try {
        case_re_ = std::regex(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
        return false;
    }
    case_pattern_ = pattern;
    changed();
    return true;
}

bool Flow::case_ref_ok() const {
    if (case_ref_.empty()) return true;
    if (!token_ok(case_ref_)) return false;
    return !case_re_ || std::regex_match(case_ref_, *case_re_);
}

bool Flow::practitioner_code_ok() const {
    return token_ok(practitioner_code_);
}

bool Flow::can_hand_over() const {
    return screen_ == Screen::Practitioner && pack_ && pack_->band(band_) && pack_->visit_type(visit_) &&
           practitioner_code_ok() && case_ref_ok();
}

StoreResult<void> Flow::hand_over() {
    if (!can_hand_over()) return {};
    visit_id_ = random_id(); // a new visit: the brothers and sisters after this child share it
    return begin_child(band_, case_ref_);
}

bool Flow::next_child() {
    if (screen_ != Screen::Thanks) return false;
    // Nothing of the child before stays: not their session, not their case reference.
    session_.reset();
    band_.clear();
    case_ref_.clear();
    screen_ = Screen::NextChild;
    last_touch_ = now();
    changed();
    return true;
}

bool Flow::choose_band(const std::string& id) {
    if (screen_ != Screen::NextChild || !pack_ || !pack_->band(id)) return false;
    return begin_child(id, "").ok() && screen_ == Screen::Welcome;
}

StoreResult<void> Flow::begin_child(const std::string& band, const std::string& case_ref) {
    // Never hand a child a survey whose answers we already know we can't keep.
    flush();
    if (!queue_.empty()) return *problem_;
    Session s;
    s.pack = pack_;
    s.band = pack_->band(band);
    s.visit_type = visit_;
    s.language = pack_->first_language();
    s.response_id = random_id();
    // A pack that lets children choose to send their words without their name links no visits:
    // being shown beside a brother or sister would name them as surely.
    s.visit_id = pack_->name_choice ? std::string() : visit_id_;
    s.case_ref = case_ref;
    // Where the child chooses, their case reference is written only once they choose to send it.
    const bool asks = pack_->name_choice && !case_ref.empty() && !pack_->intro_for(*s.band).by_lang.empty();
    s.named = !asks;
    s.name_asked = asks;
    const ResponseStart start{.id = s.response_id,
                              .pack_id = pack_->id,
                              .pack_version = pack_->version,
                              .band = band,
                              .visit_type = visit_,
                              .language = s.language,
                              .started_at_ms = clock_.wall_ms(),
                              .practitioner_code = practitioner_code_,
                              .case_ref = asks ? std::string() : case_ref,
                              .visit_id = s.visit_id};
    if (auto begun = recorder_.begin(start); !begun) {
        problem_ = begun.problem();
        changed();
        return begun;
    }
    problem_.reset();
    session_ = std::move(s);
    screen_ = Screen::Welcome;
    last_touch_ = now();
    changed();
    return {};
}

// --- child --------------------------------------------------------------------

bool Flow::has_intro() const {
    return session_ && !session_->pack->intro_for(*session_->band).by_lang.empty();
}

bool Flow::name_choice() const {
    return has_intro() && session_->pack->name_choice && !session_->case_ref.empty();
}

bool Flow::start() {
    if (screen_ != Screen::Welcome) return false;
    touch();
    if (has_intro()) {
        screen_ = Screen::Intro;
        changed();
        return true;
    }
    session_->index = 0;
    load_drafts();
    screen_ = Screen::Question;
    changed();
    return true;
}

bool Flow::go_on(bool named) {
    if (screen_ != Screen::Intro) return false;
    touch();
    auto& s = *session_;
    if (name_choice()) {
        s.named = named; // written as the session ends (end_session)
        s.name_chosen = true;
    }
    s.index = 0;
    load_drafts();
    screen_ = Screen::Question;
    changed();
    return true;
}

bool Flow::choose(const std::string& option_id) {
    if (screen_ != Screen::Question) return false;
    const auto& q = session_->question();
    if (!q.option(option_id)) return false;
    touch();
    if (q.kind == pack::Kind::PickMany) {
        auto& picked = session_->picked;
        if (!picked.erase(option_id)) {
            picked.insert(option_id);
            if (q.option(option_id)->asks_to_talk) ask_to_talk();
        }
        changed();
        return true;
    }
    if (!q.single_choice()) return false;
    if (confirming_ == option_id) return false; // chosen again while it shows: counted once
    if (q.option(option_id)->asks_to_talk) ask_to_talk();
    session_->picked = {option_id};
    record_current(false);
    confirming_ = option_id;
    confirm_until_ = now() + settings_.confirm_delay;
    changed();
    return true;
}

bool Flow::type(const std::string& typed) {
    if (screen_ != Screen::Question || session_->question().kind != pack::Kind::FreeText) return false;
    touch();
    auto& d = session_->draft;
    const std::size_t limit = static_cast<std::size_t>(session_->question().max_length);
    // Count code points, not bytes: the limit is in characters.
    if (utf8::count(d) + utf8::count(typed) > limit) return false;
    d += typed;
    changed();
    return true;
}

bool Flow::erase() {
    if (screen_ != Screen::Question || session_->question().kind != pack::Kind::FreeText) return false;
    touch();
    auto& d = session_->draft;
    if (d.empty()) return false;
    d.erase(utf8::floor_boundary(d, d.size() - 1)); // the last character, however many bytes it has
    changed();
    return true;
}

draw::Drawing* Flow::canvas() {
    if (screen_ != Screen::Question || session_->question().kind != pack::Kind::Draw) return nullptr;
    auto& c = session_->drawings[session_->question().id];
    if (!c.drawing) c.drawing = std::make_shared<draw::Drawing>();
    return c.drawing.get();
}

const draw::Drawing* Flow::drawing() const {
    if (screen_ != Screen::Question || session_->question().kind != pack::Kind::Draw) return nullptr;
    auto it = session_->drawings.find(session_->question().id);
    return it == session_->drawings.end() ? nullptr : it->second.drawing.get();
}

bool Flow::draw_from(draw::Point p) {
    auto* d = canvas();
    if (!d) return false;
    touch();
    d->begin(p, session_->tool);
    changed();
    return true;
}

bool Flow::draw_to(draw::Point p) {
    auto* d = canvas();
    if (!d || !d->drawing()) return false;
    touch();
    const auto before = d->version();
    d->extend(p);
    if (d->version() != before) changed();
    return true;
}

bool Flow::draw_end() {
    auto* d = canvas();
    if (!d || !d->drawing()) return false;
    d->end();
    return true;
}

bool Flow::draw_cancel() {
    auto* d = canvas();
    if (!d || !d->drawing()) return false;
    d->cancel();
    changed();
    return true;
}

bool Flow::pick_tool(int tool) {
    if (!canvas()) return false;
    if (tool != draw::kEraser && (tool < 0 || tool >= static_cast<int>(draw::kCrayons.size()))) return false;
    touch();
    session_->tool = tool;
    changed();
    return true;
}

bool Flow::undo_drawing() {
    auto* d = canvas();
    if (!d) return false;
    touch();
    if (!d->undo()) return false;
    changed();
    return true;
}

bool Flow::clear_drawing() {
    auto* d = canvas();
    if (!d) return false;
    touch();
    if (!d->clear()) return false;
    changed();
    return true;
}

recording::Take* Flow::current_take() {
    if (!session_ || session_->index >= session_->count() || session_->question().kind != pack::Kind::Voice)
        return nullptr;
    auto it = session_->takes.find(session_->question().id);
    return it == session_->takes.end() ? nullptr : it->second.get();
}

const recording::Take* Flow::take() const {
    if (screen_ != Screen::Question) return nullptr;
    return const_cast<Flow*>(this)->current_take();
}

bool Flow::recording() const {
    const auto* t = take();
    return t && t->recording();
}

bool Flow::record() {
    if (screen_ != Screen::Question || session_->question().kind != pack::Kind::Voice || recording()) return false;
    touch();
    const auto& q = session_->question();
    forget_kept_recording();
    session_->takes[q.id] = std::make_shared<recording::Take>(q.max_seconds);
    changed();
    return true;
}

// The child threw away the recording they had kept (try again, or a new one):
// it is taken back, and a skip stands until they keep another.
void Flow::forget_kept_recording() {
    const auto* given = session_->answer(session_->question().id);
    if (given && !given->skipped) record_current(true);
}

bool Flow::heard(const std::int16_t* samples, std::size_t n) {
    if (!recording()) return false;
    auto* t = current_take();
    t->add(samples, n);
    // A child speaking is a child still there; a quiet room is not (the idle timer runs on).
    if (t->level() > 0.02f) touch();
    changed();
    return true;
}

bool Flow::stop_recording() {
    if (!recording()) return false;
    touch();
    end_recording();
    changed();
    return true;
}

void Flow::end_recording() {
    auto* t = current_take();
    if (!t || !t->recording()) return;
    t->stop();
    if (t->empty()) session_->takes.erase(session_->question().id); // nothing was heard: the record button again
}

bool Flow::record_again() {
    const auto* t = take();
    if (!t || t->recording()) return false;
    touch();
    session_->takes.erase(session_->question().id);
    forget_kept_recording();
    changed();
    return true;
}

bool Flow::next() {
    if (screen_ != Screen::Question) return false;
    const auto& q = session_->question();
    touch();
    if (q.kind == pack::Kind::PickMany) {
        if (session_->picked.empty()) return false; // nothing chosen: the child can skip instead
        record_current(false);
    } else if (q.kind == pack::Kind::FreeText) {
        const auto& d = session_->draft;
        if (d.find_first_not_of(" \t\n") == std::string::npos) return false;
        record_current(false);
    } else if (q.kind == pack::Kind::Draw) {
        const auto* d = drawing();
        if (!d || d->empty()) return false; // nothing drawn: the child can skip instead
        if (!record_current(false)) return false;
    } else if (q.kind == pack::Kind::Voice) {
        const auto* t = take();
        if (!t || t->recording() || t->empty()) return false; // nothing recorded: the child can skip instead
        if (!record_current(false)) return false;
    } else if (!session_->answer(q.id)) {
        return false; // single choice moves on by itself once answered
    }
    advance();
    return true;
}

bool Flow::back() {
    if (screen_ == Screen::Intro) {
        touch();
        screen_ = Screen::Welcome;
        changed();
        return true;
    }
    if (screen_ != Screen::Question) return false;
    touch();
    end_recording();
    keep_drafts();
    confirming_.clear();
    if (session_->index == 0) {
        screen_ = has_intro() ? Screen::Intro : Screen::Welcome;
    } else {
        --session_->index;
        load_drafts();
    }
    changed();
    return true;
}

bool Flow::skip() {
    if (screen_ != Screen::Question) return false;
    touch();
    session_->picked.clear();
    session_->draft.clear();
    session_->drawings.erase(session_->question().id); // "I'd rather not say": the drawing is not kept
    session_->takes.erase(session_->question().id);    // nor the recording
    record_current(true);
    advance();
    return true;
}

bool Flow::still_here() {
    if (screen_ != Screen::StillThere) return false;
    screen_ = paused_;
    touch();
    changed();
    return true;
}

bool Flow::stop() {
    if (!on_child_screen()) return false;
    if (screen_ == Screen::Question) end_recording();
    keep_drafts();
    end_session(Completion::Incomplete);
    confirming_.clear();
    session_->picked.clear();
    session_->draft.clear();
    screen_ = Screen::Thanks;
    thanks_until_ = now() + settings_.thanks_duration;
    changed();
    return true;
}

std::vector<std::string> Flow::languages() const {
    std::vector<std::string> out;
    const pack::Pack* p = session_ ? session_->pack.get() : pack_.get();
    if (!p) return out;
    for (const auto& l : p->languages)
        if (settings_.allow_draft_languages || !p->drafts.count(l)) out.push_back(l);
    return out;
}

bool Flow::set_language(const std::string& lang) {
    if (screen_ != Screen::Welcome || !session_) return false;
    const auto offered = languages();
    if (std::find(offered.begin(), offered.end(), lang) == offered.end()) return false;
    touch();
    if (session_->language == lang) return true;
    session_->language = lang;
    Op op{.kind = Op::Kind::Language, .response_id = session_->response_id, .language = lang};
    save(std::move(op));
    changed();
    return true;
}

bool Flow::set_access(const Access& a) {
    if (!on_child_screen() || !session_ || a.text_size < 0 || a.text_size > 2) return false;
    touch();
    if (session_->access == a) return true;
    session_->access = a;
    changed();
    return true;
}

bool Flow::ask_to_talk() {
    if (!on_child_screen() || !session_) return false;
    touch();
    if (!session_->asked_to_talk) {
        session_->asked_to_talk = true;
        save(Op{.kind = Op::Kind::Talk, .response_id = session_->response_id});
    }
    if (screen_ != Screen::Talk) {
        if (screen_ == Screen::Question) end_recording();
        talk_from_ = screen_;
        screen_ = Screen::Talk;
    }
    changed();
    return true;
}

bool Flow::carry_on() {
    if (screen_ != Screen::Talk) return false;
    touch();
    // An answer that asked shows as chosen again before it moves on, however long they read.
    if (!confirming_.empty()) confirm_until_ = now() + settings_.confirm_delay;
    screen_ = talk_from_;
    changed();
    return true;
}

bool Flow::acknowledge_talk() {
    if (screen_ != Screen::Practitioner || talk_requests_ == 0) return false;
    talk_requests_ = 0;
    talk_seen_at_ = clock_.wall_ms();
    changed();
    return true;
}

bool Flow::pick_sticker(const std::string& id) {
    if (screen_ != Screen::Thanks || !session_ || id.empty()) return false;
    session_->sticker = id;
    thanks_until_ = std::max(thanks_until_, now() + Millis(4'000));
    changed();
    return true;
}

bool Flow::finish() {
    if (screen_ != Screen::Thanks && screen_ != Screen::NextChild) return false;
    back_to_practitioner();
    return true;
}

void Flow::touch() {
    last_touch_ = now();
}

void Flow::set_talk_requests(int n) {
    talk_requests_ = std::max(0, n);
    changed();
}

// --- time -----------------------------------------------------------------------

bool Flow::tick() {
    const auto t = now();
    bool did = false;
    if (!queue_.empty() && t - last_retry_ >= settings_.retry_interval) {
        last_retry_ = t;
        std::size_t before = queue_.size();
        flush();
        if (queue_.size() != before) {
            changed();
            did = true;
        }
    }
    if (screen_ == Screen::Question && !confirming_.empty() && t >= confirm_until_) {
        confirming_.clear();
        advance();
        did = true;
    }
    if (on_child_screen() && t - last_touch_ >= settings_.idle_timeout) {
        if (screen_ == Screen::Question) end_recording();
        paused_ = screen_;
        confirming_.clear();
        screen_ = Screen::StillThere;
        still_since_ = t;
        changed();
        did = true;
    }
    if (screen_ == Screen::StillThere && t - still_since_ >= settings_.still_there_timeout) {
        keep_drafts();
        end_session(Completion::Incomplete);
        back_to_practitioner();
        did = true;
    }
    if (screen_ == Screen::Thanks && t >= thanks_until_) {
        back_to_practitioner();
        did = true;
    }
    if (screen_ == Screen::NextChild && t - last_touch_ >= settings_.idle_timeout) {
        back_to_practitioner();
        did = true;
    }
    // A tablet put down unlocked locks itself; an admin screen left open closes.
    if (screen_ == Screen::Practitioner && locking_ && t - last_touch_ >= settings_.practitioner_idle) {
        lock();
        did = true;
    }
    if ((screen_ == Screen::Admin || screen_ == Screen::AdminPin) && t - last_touch_ >= settings_.admin_idle) {
        close_admin();
        did = true;
    }
    return did;
}

std::optional<Millis> Flow::next_deadline() const {
    std::optional<Millis> d;
    auto consider = [&](Millis m) { d = d ? std::min(*d, m) : m; };
    if (!queue_.empty()) consider(last_retry_ + settings_.retry_interval);
    if (screen_ == Screen::Question && !confirming_.empty()) consider(confirm_until_);
    if (on_child_screen()) consider(last_touch_ + settings_.idle_timeout);
    if (screen_ == Screen::StillThere) consider(still_since_ + settings_.still_there_timeout);
    if (screen_ == Screen::Thanks) consider(thanks_until_);
    if (screen_ == Screen::NextChild) consider(last_touch_ + settings_.idle_timeout);
    if (screen_ == Screen::Practitioner && locking_) consider(last_touch_ + settings_.practitioner_idle);
    if (screen_ == Screen::Admin || screen_ == Screen::AdminPin) consider(last_touch_ + settings_.admin_idle);
    return d;
}

float Flow::confirm_progress() const {
    if (confirming_.empty() || settings_.confirm_delay.count() <= 0) return 0;
    const auto left = confirm_until_ - now();
    return std::clamp(1.0f - static_cast<float>(left.count()) / static_cast<float>(settings_.confirm_delay.count()),
                      0.0f, 1.0f);
}

// --- internals ------------------------------------------------------------------

bool Flow::record_current(bool skipped) {
    auto& s = *session_;
    const auto& q = s.question();
    AnswerRecord a;
    a.question_id = q.id;
    a.position = static_cast<int>(s.index);
    a.kind = pack::kind_name(q.kind);
    a.measure = q.measure;
    a.skipped = skipped;
    if (!skipped && q.kind == pack::Kind::Draw) {
        if (auto it = s.drawings.find(q.id); it != s.drawings.end() && it->second.drawing) {
            auto png = it->second.drawing->png();
            if (!png) {
                // Nothing is kept rather than an answer without its picture; the child can try again.
                problem_ = StorageProblem{StorageProblem::Kind::Other, png.words()};
                changed();
                return false;
            }
            a.media = std::move(*png);
            a.media_type = "image/png";
            it->second.stored = it->second.drawing->version();
        }
    } else if (!skipped && q.kind == pack::Kind::Voice) {
        const auto* t = current_take();
        auto ogg = t ? t->ogg()
                     : Result<std::string, recording::RecordingProblem>(recording::RecordingProblem{"none was made"});
        if (!ogg) {
            // Nothing is kept rather than an answer without its recording; the child can try again.
            problem_ = StorageProblem{StorageProblem::Kind::Other, ogg.words()};
            changed();
            return false;
        }
        a.media = std::move(*ogg);
        a.media_type = "audio/ogg";
    } else if (!skipped) {
        if (q.kind == pack::Kind::FreeText)
            a.text = s.draft;
        else
            a.options.assign(s.picked.begin(), s.picked.end());
        // Keep pick_many answers in the pack's order, not alphabetical.
        if (q.kind == pack::Kind::PickMany) {
            a.options.clear();
            for (const auto& o : q.options)
                if (s.picked.count(o.id)) a.options.push_back(o.id);
        }
    }
    a.answered_at_ms = clock_.wall_ms();
    s.answers[q.id] = a;
    Op op{.kind = Op::Kind::Record, .response_id = s.response_id, .answer = a};
    save(std::move(op));
    return true;
}

// Answers being made but not yet confirmed with "next" (a pick_many
// selection, typed words) are kept when the child goes back or walks away.
void Flow::keep_drafts() {
    auto on = screen_ == Screen::StillThere ? paused_ : screen_;
    if (on == Screen::Talk) on = talk_from_;
    if (!session_ || on == Screen::Welcome || on == Screen::Intro) return;
    auto& s = *session_;
    if (s.index >= s.count()) return;
    const auto& q = s.question();
    const auto* prev = s.answer(q.id);
    if (q.kind == pack::Kind::PickMany && !s.picked.empty()) {
        if (!prev || prev->skipped || std::set<std::string>(prev->options.begin(), prev->options.end()) != s.picked)
            record_current(false);
    } else if (q.kind == pack::Kind::FreeText && s.draft.find_first_not_of(" \t\n") != std::string::npos) {
        if (!prev || prev->text != s.draft) record_current(false);
    } else if (q.kind == pack::Kind::Draw) {
        auto it = s.drawings.find(q.id);
        if (it == s.drawings.end() || !it->second.drawing || it->second.stored == it->second.drawing->version()) return;
        if (!it->second.drawing->empty())
            record_current(false);
        else if (prev && !prev->skipped) {
            // The child rubbed out what they had drawn and kept: that picture is not sent.
            record_current(true);
            it->second.stored = it->second.drawing->version();
        }
    }
}

void Flow::load_drafts() {
    auto& s = *session_;
    s.picked.clear();
    s.draft.clear();
    if (const auto* a = s.answer(s.question().id); a && !a->skipped) {
        s.picked.insert(a->options.begin(), a->options.end());
        s.draft = a->text;
    }
}

void Flow::advance() {
    auto& s = *session_;
    confirming_.clear();
    if (s.index + 1 < s.count()) {
        ++s.index;
        load_drafts();
        screen_ = Screen::Question;
    } else {
        end_session(Completion::Complete);
        s.picked.clear();
        s.draft.clear();
        screen_ = Screen::Thanks;
        thanks_until_ = now() + settings_.thanks_duration;
    }
    changed();
}

void Flow::end_session(Completion c) {
    if (!session_) return;
    // The child chose to send their name: written now, before the response is finished and can be delivered.
    if (session_->name_asked && session_->named)
        save(Op{.kind = Op::Kind::CaseRef, .response_id = session_->response_id, .case_ref = session_->case_ref});
    Op op{
        .kind = Op::Kind::Finish, .response_id = session_->response_id, .completion = c, .ended_at = clock_.wall_ms()};
    save(std::move(op));
    if (session_->asked_to_talk) ++talk_requests_;
    confirming_.clear();
}

void Flow::save(Op op) {
    queue_.push_back(std::move(op));
    flush();
}

void Flow::flush() {
    while (!queue_.empty()) {
        const Op& op = queue_.front();
        StoreResult<void> kept;
        switch (op.kind) {
        case Op::Kind::Begin: kept = recorder_.begin(op.start); break;
        case Op::Kind::Record: kept = recorder_.record(op.response_id, op.answer); break;
        case Op::Kind::Finish: kept = recorder_.finish(op.response_id, op.completion, op.ended_at); break;
        case Op::Kind::Talk: kept = recorder_.flag_talk(op.response_id); break;
        case Op::Kind::Language: kept = recorder_.set_language(op.response_id, op.language); break;
        case Op::Kind::CaseRef: kept = recorder_.set_case_ref(op.response_id, op.case_ref); break;
        }
        if (!kept) {
            if (!problem_) changed();
            problem_ = kept.problem();
            last_retry_ = now();
            return;
        }
        queue_.pop_front();
    }
    if (problem_) changed();
    problem_.reset();
}

} // namespace sayso::flow
