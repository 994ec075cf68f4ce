#pragma once
// Internal to exchange/: the inbox's first phase, reading the shared folder
// before the journal is locked for writing, and the refusals both phases make.
#include "duet/exchange/link.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace duet::exchange {

// One file of the shared folder, read before the journal's write transaction
// (never a link, a FIFO or an oversized file), with what its name and stamp
// were, so a refusal can be remembered.
struct Arrival {
    fs::path path;
    std::string refusal_key; // "refused:NAME:SIZE:MTIME"
    std::string content;
    std::optional<Header> header; // for .duet messages
    bool fresh = false;           // changed moments ago: a sync tool may still be writing it
};

// Files refused this run: each is named in the report once, and remembered by
// name, size and time so that it costs nothing on later runs unless it changes.
class Refusals {
  public:
    explicit Refusals(InboxReport& report) : m_report(report) {}

    void refuse(const Arrival& a, std::string_view why, bool with_name = true);
    // A message addressed to this journal: the report says so.
    void refuse_mine(const Arrival& a, std::string_view why);
    void refuse_damaged(const Arrival& a);
    // Not worth a word (someone else's answer), but not read again either.
    void pass_over(const Arrival& a) { m_keys.push_back(a.refusal_key); }

    // Inside the write transaction that takes in the rest.
    void remember(store::Journal& journal) const;

  private:
    InboxReport& m_report;
    std::vector<std::string> m_keys;
};

// Phase one, outside any transaction: which files in `dir` are new, and their
// bytes, in the order they are to be taken in. `me` is this journal's key.
std::vector<Arrival> read_arrivals(const fs::path& dir, const store::Journal& journal,
                                   const PublicKey& me, Refusals& refusals);

} // namespace duet::exchange
