// One draw function per screen. Each reads what it shows as values (the
// flow, the shelf, the facts) and says what was tapped as intents, which the
// kiosk applies after the frame; none touches storage, the network or a
// password hash, and none keeps state of its own between frames.
#pragma once

#include "flow/flow.hpp"
#include "intents.hpp"
#include "layout.hpp"
#include "pack/shelf.hpp"
#include "protocol/wire.hpp"
#include "speaker.hpp"
#include "textures.hpp"
#include "theme.hpp"
#include "widgets.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sayso::ui {

// What the admin screen is doing between frames.
struct AdminState {
    std::string tab = "packs"; // packs, delivery, pins, wipe
    std::string message;       // the outcome of the last action, in words
    bool message_is_problem = false;
    std::vector<std::string> problems; // a refused pack's problems, all of them
    int wipe_step = 0;                 // 0, then 1 and 2: asked twice
    std::string pin_role;              // setting this role's PIN ("practitioner", "admin"), or none
    std::string pin_first;             // the new PIN as first typed
    std::string pin_entry;
    // Pack folders found on USB sticks: looked for once when the packs tab
    // opens (and after an install), not on every frame.
    std::optional<std::vector<std::filesystem::path>> found;
    bool looking = false, installing = false;
    // What the delivery settings file says, read when the delivery tab opens
    // (and again after an enrolment): whether the tablet is enrolled, where
    // it sends in words, or the file's problem.
    bool settings_loaded = false, settings_loading = false;
    bool enrolled = false;
    std::string settings_words, settings_problem;
    // Enrolment: the collector's address and the one-time code as typed, the
    // field the keyboard types into ("endpoint", "code" or none), and whether
    // an enrolment is under way.
    bool endpoint_loaded = false;
    std::string endpoint, code, typing;
    bool enrolling = false;
};

// The screens' own state between frames, kept by the kiosk.
struct Held {
    std::string pin_entry;   // the PIN pad: the digits typed so far
    std::string pin_message; // and what the last try came to
    std::string editing;     // practitioner screen: the field the keyboard types into ("code", "case" or none)
    AdminState admin;
    bool quit_asked = false; // closing Sayso waits for the admin PIN
};

struct Ui {
    const flow::Flow& flow;
    const pack::Shelf& shelf;
    Textures& textures; // looks pictures up; decoding happens off the frame
    Widgets& widgets;
    const Layout& layout;
    const Fonts& fonts;
    const Facts& facts;
    // Why answers can't be kept, when the answers file could not even be opened.
    const std::string& storage_problem;
    // Delivery: its state, or null when delivery is not running; then
    // `delivery_problem` says why (bad settings), or is empty (not set up).
    const DeliveryView* delivery;
    const std::string& delivery_problem;
    const std::string& delivery_settings;                   // the delivery settings file, or empty
    const protocol::WeDidList* we_did;                      // "you said, we did" from the collector, or null
    const std::vector<std::filesystem::path>& import_roots; // where the admin screen looks for packs to install
    flow::Millis now;                                       // monotonic, for animations
    flow::Millis screen_since;                              // when the current screen appeared
    std::int64_t wall_ms;                                   // for lockouts
    Speaker* speaker;                                       // null or unavailable: no read-aloud buttons
    Picture canvas;                                         // the draw question's canvas, when one shows
    Held& held;                                             // the screens' own state between frames
    Intents& intents;

    // A transition of the flow, applied after the frame.
    void then(std::function<void(flow::Flow&)> f) { intents.flow.push_back(std::move(f)); }
    void ask(Ask a) { intents.asks.push_back(std::move(a)); }
};

void draw_pin_pad(Ui& ui);
void draw_practitioner(Ui& ui);
void draw_welcome(Ui& ui);
void draw_intro(Ui& ui);
void draw_talk(Ui& ui);
void draw_question(Ui& ui);
void draw_still_there(Ui& ui);
void draw_thanks(Ui& ui);
void draw_next_child(Ui& ui);
void draw_admin(Ui& ui);
// The admin screen's "set a PIN" pad; false when no PIN is being set.
bool draw_new_pin(Ui& ui);
// A notice in the problem colour across the screen at `y`; returns the height used.
float notice(const Pen& pen, const Ui& ui, float y, const std::string& text);
// The delivery state in a practitioner's words; true if it is a problem.
bool delivery_words(const Ui& ui, std::string& words);
// Read-aloud. What to say for `text` in the child's language: the pack's
// recorded clip for `key` if it has one, else espeak-ng's voice.
Speaker::Item speech_item(const flow::Session& s, const std::string& text, const std::string& key);
bool can_speak(const Ui& ui, const flow::Session& s);
// A round speaker button in two steps, so it can sit on top of a tile: the
// hit area first (before the tile), then the drawing (after it).
bool speak_hit(Ui& ui, const std::string& id, ImVec2 centre, float radius);
void speak_draw(Ui& ui, ImVec2 centre, float radius);
// What each screen reads: the welcome, a question and its answers.
std::vector<Speaker::Item> welcome_speech(const flow::Session& s);
// "You said, we did": the entry the welcome screen shows this child (in
// their language, if the pack frames it), or null; and what reads it aloud.
const protocol::WeDid* we_did_shown(const Ui& ui, const flow::Session& s);
std::vector<Speaker::Item> we_did_speech(const flow::Session& s, const protocol::WeDid& e);
std::vector<Speaker::Item> intro_speech(const flow::Session& s,
                                        bool name_choice); // who will see, and the choice of name
std::vector<Speaker::Item> question_speech(const flow::Session& s);
std::vector<Speaker::Item> talk_speech(const flow::Session& s); // your worker will talk with you; the help line

// A large on-screen keyboard in a language's letters ("codes" for the
// practitioner's capitals and digits). Keys are `key:<letter>`,
// `key:space`, `key:backspace` and `key:done`.
struct KeyPress {
    std::string typed; // a letter or a space
    bool erase = false;
    bool done = false;
};
KeyPress keyboard(Ui& ui, const std::string& lang, ImVec2 min, ImVec2 max, const std::string& done_label,
                  bool done_enabled);

// Shared by the welcome and question screens.
void draw_stop_button(Ui& ui);
void draw_talk_button(Ui& ui);

} // namespace sayso::ui
