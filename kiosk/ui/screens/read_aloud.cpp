#include "screens.hpp"

#include "text/languages.hpp"

#include <cmath>

namespace sayso::ui {

Speaker::Item speech_item(const flow::Session& s, const std::string& text, const std::string& key) {
    const auto* lang = text::find_language(s.language);
    // The clip is looked for on the speaker's worker: it touches the disk.
    // No key: words the pack can't have recorded (the collector's), always spoken by the voice.
    return Speaker::Item{text, lang ? lang->voice : std::string(),
                         [pack = s.pack, band = s.band, key, lang = s.language] {
                             return key.empty() ? std::filesystem::path() : pack->clip(*band, key, lang);
                         }};
}

bool can_speak(const Ui& ui, const flow::Session& s) {
    if (!ui.speaker || !ui.speaker->available()) return false;
    const auto* lang = text::find_language(s.language);
    // Without a voice for the language, only a pack with its own recordings can speak.
    return (lang && !lang->voice.empty()) || s.pack->recorded.count(s.language) > 0;
}

bool speak_hit(Ui& ui, const std::string& id, ImVec2 c, float r) {
    ImGui::SetCursorScreenPos(ImVec2(c.x - r, c.y - r));
    ImGui::PushID(id.c_str());
    const bool clicked = ImGui::InvisibleButton("##speak", ImVec2(2 * r, 2 * r));
    ImGui::PopID();
    ui.widgets.add(id, ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r));
    return clicked;
}

void speak_draw(Ui& ui, ImVec2 c, float r) {
    const Pen pen = ui.widgets.pen(ImGui::GetWindowDrawList());
    c = ImVec2(std::round(c.x), std::round(c.y)); // on whole pixels, so the ring lies on the disc
    fill_disc(pen, ImVec2(c.x, c.y + std::round(r * 0.06f)), r, pen.colours.shadow);
    fill_disc(pen, c, r, pen.colours.primary_soft);
    pen.dl->AddCircle(c, r, pen.colours.primary, 0, std::max(2.0f, r * 0.08f));
    const float k = r * 0.62f;
    draw_picture(pen, ui.textures.asset("ui/speaker"), ImVec2(c.x - k, c.y - k), ImVec2(c.x + k, c.y + k));
}

std::vector<Speaker::Item> welcome_speech(const flow::Session& s) {
    const auto& p = *s.pack;
    const auto& b = *s.band;
    return {speech_item(s, p.word(b, "welcome", s.language), "word.welcome"),
            speech_item(s, p.word(b, "welcome_note", s.language), "word.welcome_note")};
}

std::vector<Speaker::Item> we_did_speech(const flow::Session& s, const protocol::WeDid& e) {
    const auto& p = *s.pack;
    const auto& b = *s.band;
    return {speech_item(s, p.word(b, "you_told_us", s.language), "word.you_told_us"), speech_item(s, e.you_said, ""),
            speech_item(s, p.word(b, "so_we", s.language), "word.so_we"), speech_item(s, e.we_did, "")};
}

std::vector<Speaker::Item> intro_speech(const flow::Session& s, bool name_choice) {
    const auto& p = *s.pack;
    const auto& b = *s.band;
    std::vector<Speaker::Item> items = {speech_item(s, p.text(p.intro_for(b), s.language), "intro")};
    if (name_choice)
        for (const char* k : {"with_name", "without_name"})
            items.push_back(speech_item(s, p.word(b, k, s.language), std::string("word.") + k));
    return items;
}

std::vector<Speaker::Item> talk_speech(const flow::Session& s) {
    const auto& p = *s.pack;
    std::vector<Speaker::Item> items = {speech_item(s, p.word(*s.band, "talk_done", s.language), "word.talk_done")};
    if (p.help_line) {
        // The number a digit at a time, as it is dialled ("0 8 0 0, 1 1 1 1"), not as an amount.
        std::string digits;
        for (char c : p.help_line->number)
            if ((c >= '0' && c <= '9') || c == '+') // "+" is said: an international number needs it
                digits += std::string(1, c) + " ";
            else if (c == ' ' || c == '-')
                digits += ", ";
        items.push_back(speech_item(s, p.text(p.help_line->text, s.language) + " " + digits, "help_line"));
    }
    return items;
}

std::vector<Speaker::Item> question_speech(const flow::Session& s) {
    const auto& q = s.question();
    const auto& p = *s.pack;
    std::vector<Speaker::Item> items = {speech_item(s, p.text(q.text, s.language), q.id)};
    for (const auto& o : q.options)
        items.push_back(speech_item(s, p.label(*s.band, o, s.language), q.id + "." + o.id));
    // A voice question says how to answer it: the record button's words.
    if (q.kind == pack::Kind::Voice)
        items.push_back(speech_item(s, p.word(*s.band, "record", s.language), "word.record"));
    return items;
}

} // namespace sayso::ui
