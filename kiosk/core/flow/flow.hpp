// The child's session as a state machine: which screen is up, what has been
// answered, and when time moves it on. Knows nothing of SDL or ImGui; the
// screens read its state and call its transitions.
#pragma once

#include "draw/drawing.hpp"
#include "flow/clock.hpp"
#include "flow/record.hpp"
#include "pack/pack.hpp"
#include "recording/take.hpp"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>

namespace sayso::flow {

enum class Screen {
    Locked,
    Practitioner,
    Welcome,
    Intro,
    Question,
    Talk,
    StillThere,
    Thanks,
    NextChild,
    AdminPin,
    Admin
};
const char* screen_name(Screen);

struct Settings {
    Millis idle_timeout{90'000};        // no touch mid-survey: ask "are you still there?"
    Millis still_there_timeout{30'000}; // no answer to that: end the session
    Millis confirm_delay{700};          // a single-choice answer stays highlighted this long
    Millis thanks_duration{8'000};      // thank-you screen, then back to the practitioner
    Millis retry_interval{5'000};       // retry answers that could not be saved
    Millis practitioner_idle{300'000};  // an unlocked practitioner screen left alone locks again (with a PIN)
    Millis admin_idle{120'000};         // the admin screen left alone closes
    bool allow_draft_languages = false; // offer languages a pack marks as draft translations
};

// How a child wants the screens, chosen on the welcome screen and reset for
// the next child.
struct Access {
    int text_size = 0; // 0 normal, 1 larger, 2 largest
    bool high_contrast = false;
    bool easy_font = false;   // the dyslexia-friendly face
    bool less_motion = false; // no confetti, no pulsing
    bool operator==(const Access&) const = default;
};

struct Session {
    std::shared_ptr<const pack::Pack> pack; // the version this child started on
    const pack::Band* band = nullptr;
    std::string visit_type;
    std::string language;
    std::string response_id;
    std::string visit_id;                        // shared with brothers and sisters answering after
    std::size_t index = 0;                       // current question
    std::map<std::string, AnswerRecord> answers; // given so far, by question id
    std::set<std::string> picked;                // pick_many selection being made
    std::string draft;                           // free text being typed
    // Drawings by question id, kept while the child goes back and forth; the
    // version each had when last stored.
    struct Canvas {
        std::shared_ptr<draw::Drawing> drawing;
        std::uint64_t stored = ~0ull;
    };
    std::map<std::string, Canvas> drawings;
    // Recordings by question id, likewise: sent only when the child keeps one with next.
    std::map<std::string, std::shared_ptr<recording::Take>> takes;
    int tool = 0;               // the crayon in hand (draw::kEraser for the eraser)
    bool asked_to_talk = false; // "I want to talk to someone"
    // The case reference the practitioner gave, kept here. Where the child
    // chooses (`name_asked`), it is written only as the session ends, and only
    // if they chose to send it (`named`): a change of mind never reaches the
    // disk, and a session cut short keeps none.
    std::string case_ref;
    bool name_asked = false;
    bool named = false, name_chosen = false;
    Access access;
    std::string sticker; // picked on the thank-you screen, just for fun

    const pack::Question& question() const { return band->questions[index]; }
    std::size_t count() const { return band->questions.size(); }
    const AnswerRecord* answer(const std::string& qid) const {
        auto it = answers.find(qid);
        return it == answers.end() ? nullptr : &it->second;
    }
};

class Flow {
  public:
    Flow(const Clock& clock, Recorder& recorder, Settings settings = {});

    Screen screen() const { return screen_; }
    // Bumped on every change of what the screens show.
    std::uint64_t version() const { return version_; }

    // The PIN pad. With locking on, every session ends on the locked screen,
    // and only unlock() (after the PIN was checked) opens the practitioner screen.
    void set_locking(bool on);
    bool locking() const { return locking_; }
    bool lock();
    bool unlock();

    // The admin screen, opened from the practitioner screen or the PIN pad,
    // never during a child's session: through the admin PIN pad when
    // `pin_needed`, else directly. Closing returns to the PIN pad when there
    // is a practitioner PIN, else to the practitioner screen.
    bool open_admin(bool pin_needed);
    bool admin_unlock();
    bool close_admin();

    // Practitioner screen.
    void select_pack(std::shared_ptr<const pack::Pack> pack);
    bool select_band(const std::string& id);
    bool select_visit(const std::string& id);
    const pack::Pack* selected_pack() const { return pack_.get(); }
    const std::string& selected_band() const { return band_; }
    const std::string& selected_visit() const { return visit_; }
    // Optional and pseudonymous: a practitioner code (kept for the next child)
    // and a case reference (cleared after each child). The case reference must
    // match the admin's pattern when one is set. Setters return false when
    // the value is refused; it is kept either way so it can be corrected.
    bool set_practitioner_code(const std::string& code);
    bool set_case_ref(const std::string& ref);
    // An ECMAScript regular expression the whole reference must match; empty for none.
    // Returns false (and sets no pattern) if it does not compile.
    bool set_case_pattern(const std::string& pattern);
    const std::string& practitioner_code() const { return practitioner_code_; }
    const std::string& case_ref() const { return case_ref_; }
    const std::string& case_pattern() const { return case_pattern_; }
    bool case_ref_ok() const;
    bool practitioner_code_ok() const;
    bool can_hand_over() const;
    // Starts a response and shows the child's welcome. Refused, with the
    // problem, if storage cannot keep the answers.
    StoreResult<void> hand_over();

    // Child screens. Each returns false when it does not apply right now.
    // start(): from the welcome, to the screen that says who will see the
    // answers where the pack has one, else to the first question.
    bool start();
    // On that screen: on to the questions; `named` is the child's choice to
    // send their words with their case reference, where they have one.
    bool go_on(bool named);
    // Whether the child chooses to send their words with or without their name.
    bool name_choice() const;
    bool choose(const std::string& option_id);
    bool type(const std::string& typed); // UTF-8
    bool erase();
    // A draw question: a stroke with the tool in hand, in canvas pixels;
    // picking a crayon or the eraser; taking back the last stroke or clear;
    // emptying the canvas.
    bool draw_from(draw::Point p);
    bool draw_to(draw::Point p);
    bool draw_end();
    bool draw_cancel(); // the stroke being drawn goes (a palm's)
    bool pick_tool(int tool);
    bool undo_drawing();
    bool clear_drawing();
    // The current question's drawing; null when it is not a draw question.
    const draw::Drawing* drawing() const;
    // A voice question: record() starts a recording (any last one goes), the
    // kiosk hands it the microphone's samples with heard() (mono, 48 kHz; it
    // stops by itself at the question's length), stop_recording() ends it;
    // the child listens back, keeps it with next(), or record_again() shows
    // the record button again. Leaving the question ends a recording.
    bool record();
    bool heard(const std::int16_t* samples, std::size_t n);
    bool stop_recording();
    bool record_again();
    bool recording() const; // a recording is being made now
    // The current voice question's recording; null when there is none.
    const recording::Take* take() const;
    bool next();
    bool back();
    bool skip();
    bool still_here();
    // The child's own stop: the session ends now, the answers given are kept,
    // the response is marked incomplete, and the thank-you shows.
    bool stop();
    // The languages a child can choose from: the pack's, without drafts
    // unless allowed. The first is the one a session starts in.
    std::vector<std::string> languages() const;
    // On the welcome screen: the child picks their language.
    bool set_language(const std::string& lang);

    // The child's choices for text size, contrast, font and motion (welcome
    // and question screens). Out-of-range sizes are refused.
    bool set_access(const Access& a);

    // "I want to talk to someone": raised by the talk button or an answer the
    // pack marks; stored with the response and never taken back in the session.
    // The child is then told, on a screen of its own showing none of their
    // answers, that their worker will talk with them (and of the pack's help
    // line); carry_on() returns to where they were.
    bool ask_to_talk();
    bool carry_on();
    bool finish();
    // On the thank-you screen: the child's sticker. Gives them a few more
    // seconds to enjoy it; never stored.
    bool pick_sticker(const std::string& id);
    // Brothers and sisters in one visit: from the thank-you screen the
    // practitioner hands the tablet to the next child of the same visit, with
    // no PIN and nothing of the child before left showing; that child picks
    // their own age band (then, on the welcome, their language and settings).
    // Their response is their own, with the same visit id, pack, visit type
    // and practitioner code, and no case reference. Left alone, the choice
    // goes back to the practitioner screen (or the PIN pad) as the thank-you does.
    bool next_child();
    // False when it does not apply, or the answers can't be kept (storage_problem() says why).
    bool choose_band(const std::string& id);
    // Any touch, so the idle timer of the screen showing starts again.
    void touch();

    // Moves time-driven transitions on. Returns true if anything changed.
    bool tick();
    // When tick() next has something to do, if ever.
    std::optional<Millis> next_deadline() const;

    const Session* session() const { return session_ ? &*session_ : nullptr; }
    // A single-choice answer that is showing its confirmation.
    const std::string& confirming() const { return confirming_; }
    // How far the confirmation has run, 0..1.
    float confirm_progress() const;
    // Screen the "still there?" prompt will return to.
    Screen paused_screen() const { return paused_; }

    // Storage health for the practitioner: answers not yet saved, and why.
    std::size_t unsaved() const { return queue_.size(); }
    const std::optional<StorageProblem>& storage_problem() const { return problem_; }

    // Children who asked to talk since the practitioner last said they saw it
    // (set at start from storage, so a restart does not lose the notice).
    int talk_requests() const { return talk_requests_; }
    void set_talk_requests(int n);
    bool acknowledge_talk();
    // When the practitioner last acknowledged (wall clock, ms), for storage.
    std::int64_t talk_seen_at() const { return talk_seen_at_; }

    const Settings& settings() const { return settings_; }

  private:
    struct Op {
        enum class Kind { Begin, Record, Finish, Talk, Language, CaseRef } kind;
        ResponseStart start;
        std::string response_id;
        AnswerRecord answer;
        Completion completion = Completion::Complete;
        std::int64_t ended_at = 0;
        std::string language;
        std::string case_ref;
    };

    const Clock& clock_;
    Recorder& recorder_;
    Settings settings_;
    Screen screen_ = Screen::Practitioner;
    bool locking_ = false;
    Screen paused_ = Screen::Welcome;
    Screen talk_from_ = Screen::Welcome; // where the child asked to talk from
    std::uint64_t version_ = 0;

    std::shared_ptr<const pack::Pack> pack_;
    std::string band_, visit_;
    std::string practitioner_code_, case_ref_, case_pattern_;
    std::optional<std::regex> case_re_;
    int talk_requests_ = 0;
    std::int64_t talk_seen_at_ = 0;

    std::optional<Session> session_;
    std::string confirming_;
    Millis confirm_until_{0};
    Millis last_touch_{0};
    Millis still_since_{0};
    Millis thanks_until_{0};
    std::string visit_id_; // the visit being handed over: made at each hand-over from the practitioner screen

    std::deque<Op> queue_;
    std::optional<StorageProblem> problem_;
    Millis last_retry_{0};

    Millis now() const { return clock_.monotonic(); }
    void changed() { ++version_; }
    bool on_child_screen() const {
        return screen_ == Screen::Welcome || screen_ == Screen::Intro || screen_ == Screen::Question ||
               screen_ == Screen::Talk;
    }
    bool has_intro() const; // the session's pack says who will see, for its band
    void save(Op op);
    void flush();
    bool record_current(bool skipped); // false when the answer could not be made (a drawing's PNG)
    draw::Drawing* canvas();           // the current draw question's, made on first use
    recording::Take* current_take();   // the current voice question's, if any
    void end_recording();              // a recording being made stops (the child moved on)
    void forget_kept_recording();      // a kept recording thrown away: a skip stands instead
    void keep_drafts();
    void advance();
    void load_drafts();
    void end_session(Completion c);
    void back_to_practitioner(); // after a session: the practitioner screen, or the PIN pad
    // A child's session on `band`, their response begun; refused with the problem when it can't be kept.
    StoreResult<void> begin_child(const std::string& band, const std::string& case_ref);
};

} // namespace sayso::flow
