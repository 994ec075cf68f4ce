#pragma once
// Reading other journals' exports into duet entries: duet's own JSON export,
// jrnl's `--export json` and Day One's JSON export. Pure parsing: no terminal,
// no journal; the caller adds the entries (see src/cli/import.cpp).
//
// Every record is checked before any entry is handed out, so a bad record means
// nothing is imported. Errors are DataErrors that read "FILE: entry N: what",
// with N counted from 1 in the file's "entries" array.
//
// An export is read as a stream, one record at a time: what is kept between
// checking the file and adding its entries is a few bytes per entry, not the
// entries, so a large export takes no more memory than a small one.
#include "duet/store/entry.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace duet::transfer {

enum class ImportFormat { duet, jrnl, dayone };

// "duet", "jrnl", "dayone": the value of Entry::source.
std::string_view format_id(ImportFormat format);
// "duet", "jrnl", "Day One": for people.
std::string_view format_title(ImportFormat format);

inline constexpr std::size_t k_max_import_size = std::size_t{2} * 1024 * 1024 * 1024;
inline constexpr int k_max_import_depth = 64;
inline constexpr std::size_t k_max_text_size = 1024 * 1024; // per field, as for --answer

struct ImportedEntry {
    store::Entry entry;
    // Stable across runs: the journal remembers it so a second import adds nothing.
    std::string identity;
    // Records with the same identity are each an entry (a person may write the
    // same words twice in a minute): this is the occurrence-th, counted from 1
    // in the order entries are handed out; `repeated` when the file has more than one.
    std::uint32_t occurrence = 1;
    bool repeated = false;
    // Equal for records with equal identities (within one run; cheaper than the identity).
    std::uint64_t fingerprint = 0;
};

struct ImportBatch {
    ImportFormat format = ImportFormat::duet;
    std::vector<ImportedEntry> entries;
    // Entries a partner shared (in a duet export): theirs, never imported as ours.
    std::size_t partner_entries = 0;
    // jrnl or Day One records without any text: nothing to keep.
    std::size_t empty_entries = 0;
};

// Which export this is, from the top-level members of the document (its
// "entries" need only be an array); DataError naming the file and the formats
// duet reads otherwise.
ImportFormat detect_format(const nlohmann::json& doc, std::string_view name);

// An export whose every record has been checked. It remembers where each entry
// is in the file and when it was written, and reads the entries again, one at a
// time, when they are handed out.
class CheckedImport {
  public:
    // Reads and checks the whole file (at most k_max_import_size bytes).
    static CheckedImport of_file(const std::filesystem::path& file);
    // The same for standard input, named "standard input" in messages.
    static CheckedImport of_stdin();
    // The same for an export in memory; `text` must outlive the result.
    static CheckedImport of_text(std::string_view text, std::string_view name);

    CheckedImport(CheckedImport&&) noexcept;
    CheckedImport& operator=(CheckedImport&&) noexcept;
    ~CheckedImport();

    // The file's name in messages.
    const std::string& name() const;
    // Nothing but blank space (jrnl writes an empty file for an empty journal):
    // nothing to import, and no format to tell.
    bool blank() const;
    ImportFormat format() const;
    // How many entries for_each hands out.
    std::size_t size() const;
    // Every record of "entries", imported or left out.
    std::size_t records() const;
    std::size_t partner_entries() const;
    std::size_t empty_entries() const;

    // Hands out every entry, oldest first (entries written at the same second in
    // file order). DataError if the file was changed since it was checked.
    void for_each(const std::function<void(ImportedEntry&)>& take) const;

  private:
    struct State;
    explicit CheckedImport(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

// What the journal remembers of the entries it holds (keyed hashes of their
// identities), for an import to look up and add to.
class SeenIdentities {
  public:
    virtual bool seen(std::string_view identity) const = 0;
    virtual void mark(std::string_view identity) = 0;

  protected:
    ~SeenIdentities() = default;
};

// Is the entry already in the journal? The first occurrence of an identity is
// recorded as the identity itself, the k-th as "identity#k", and "identity#1"
// says the journal counts them. A journal that recorded the identity without
// counting took in every occurrence at once (earlier duets did): it has them all.
bool already_there(const ImportedEntry& item, const SeenIdentities& seen);

// Records what makes a later import find the entry, once the journal has added
// it (and recorded `content`, its store::content_identity, itself).
// `content_seen`: the journal held an entry with the same content before.
// The journal's entries are counted the same way, so importing its own export
// finds each of two identical entries.
void record_added(const ImportedEntry& item, std::string_view content, bool content_seen,
                  SeenIdentities& seen);

// Every entry at once (tests, the fuzzer): CheckedImport::of_text + for_each.
ImportBatch parse_import(std::string_view text, std::string_view name);
// The same for a file.
ImportBatch read_import(const std::filesystem::path& file);

} // namespace duet::transfer
