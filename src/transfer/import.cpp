// Reading an export: one streaming pass that checks every record and keeps
// only where each entry is, then the entries read again one by one, oldest first.
#include "duet/transfer/import.hpp"

#include "duet/error.hpp"
#include "duet/util/files.hpp"
#include "formats.hpp"
#include "source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <iterator>
#include <optional>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace duet::transfer {

using nlohmann::json;

std::string_view format_id(ImportFormat format) {
    switch (format) {
    case ImportFormat::jrnl:
        return "jrnl";
    case ImportFormat::dayone:
        return "dayone";
    case ImportFormat::duet:
        break;
    }
    return "duet";
}

std::string_view format_title(ImportFormat format) {
    return format == ImportFormat::dayone ? "Day One" : format_id(format);
}

namespace {

constexpr std::string_view k_formats_read =
    "duet reads its own JSON export (`duet review --format json`), jrnl's (`jrnl --export "
    "json`) and Day One's JSON export";
constexpr int k_duet_export_version = 1;
// The top-level members detect_format and check_duet_version look at; the
// others, apart from "entries", are read past without being kept.
constexpr std::array<std::string_view, 4> k_header_keys = {"format", "version", "metadata", "tags"};

void check_duet_version(const json& doc, std::string_view name) {
    const auto v = doc.find("version");
    if (v == doc.end() || !v->is_number_integer() || v->get<std::int64_t>() < 1) {
        throw DataError(fmt::format("{}: this duet export has no valid \"version\"", name));
    }
    if (v->get<std::int64_t>() > k_duet_export_version) {
        throw DataError(fmt::format("{} was exported by a newer duet (export version {}); please "
                                    "update duet to import it",
                                    name, v->get<std::int64_t>()));
    }
}

// nlohmann's message without its prefix and without the bytes it last read.
std::string describe(const json::exception& e) {
    std::string what = e.what();
    if (const auto p = what.find("] "); p != std::string::npos) {
        what.erase(0, p + 2);
    }
    if (const auto p = what.find("; last read"); p != std::string::npos) {
        what.erase(p);
    }
    return what;
}

// Builds one object or array from parser events: a record of "entries", or a
// member of the header.
class ValueBuilder {
  public:
    void value(json&& v) { place(std::move(v)); }
    void open(json::value_t kind) {
        m_open.push_back(m_open.empty() ? &(m_root = json(kind)) : place(json(kind)));
    }
    void key(std::string&& key) { m_key = std::move(key); }
    // True when that closes the outermost container: the value is complete.
    bool close() {
        m_open.pop_back();
        return m_open.empty();
    }
    const json& value() const { return m_root; }
    json take() { return std::move(m_root); }

  private:
    json* place(json&& v) {
        json& parent = *m_open.back();
        if (parent.is_array()) {
            auto& items = parent.get_ref<json::array_t&>();
            items.push_back(std::move(v));
            return &items.back();
        }
        // A repeated key keeps its last value, as json::parse does.
        auto& members = parent.get_ref<json::object_t&>();
        return &members.insert_or_assign(std::move(m_key), std::move(v)).first->second;
    }

    json m_root;
    // Pointers stay valid: nothing is added to a container while a child of it is open.
    std::vector<json*> m_open;
    std::string m_key;
};

// Follows the parser through an export (a nlohmann SAX handler): enforces the
// depth limit, keeps the top-level members that tell the formats apart, and
// builds the records of "entries" one at a time, with their bytes in the file.
class ExportScanner {
  public:
    // The "entries" array begins; `header` holds the top-level members before it.
    // True to have its records built and handed to OnRecord.
    using OnEntries = std::function<bool(const json& header)>;
    // A record, numbered from 1, and its bytes [offset, offset + length) (known
    // for objects and arrays only). False to build no more records.
    using OnRecord = std::function<bool(const json& record, std::size_t number,
                                        std::uint64_t offset, std::uint64_t length)>;

    ExportScanner(const Stream& stream, std::string_view name, OnEntries on_entries,
                  OnRecord on_record)
        : m_stream(stream), m_name(name), m_on_entries(std::move(on_entries)),
          m_on_record(std::move(on_record)) {}

    // The members of k_header_keys, and "entries" as [] when it is an array.
    json& header() { return m_header; }

    bool null() { return scalar(nullptr); }
    bool boolean(bool v) { return scalar(v); }
    bool number_integer(json::number_integer_t v) { return scalar(v); }
    bool number_unsigned(json::number_unsigned_t v) { return scalar(v); }
    bool number_float(json::number_float_t v, const std::string& /*text*/) { return scalar(v); }
    bool string(std::string& v) { return scalar(std::move(v)); }
    bool binary(json::binary_t& /*bytes*/) { return true; } // not in JSON
    bool start_object(std::size_t /*elements*/) { return open(json::value_t::object); }
    bool start_array(std::size_t /*elements*/) { return open(json::value_t::array); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(std::string& key) {
        check_depth();
        if (m_building != Building::nothing) {
            m_builder.key(std::move(key));
        } else if (m_depth == 1) {
            m_key = std::move(key);
        }
        return true;
    }

    bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                     const json::exception& e) {
        throw invalid_json(e);
    }

    // Inside the entries the format is plain; elsewhere, say what duet reads.
    DataError invalid_json(const json::exception& e) const {
        const std::string hint = m_in_entries ? "" : "; " + std::string(k_formats_read);
        return DataError(where() + "not valid JSON (" + describe(e) + ")" + hint);
    }

  private:
    enum class Building { nothing, header_member, record };

    std::string where() const {
        return m_in_entries ? fmt::format("{}: entry {}: ", m_name, m_records + 1)
                            : fmt::format("{}: ", m_name);
    }

    void check_depth() const {
        if (m_depth >= k_max_import_depth) {
            throw DataError(where() + fmt::format("nested more than {} levels deep, which no "
                                                  "journal export is",
                                                  k_max_import_depth));
        }
    }

    // A value of the top-level object, after its key.
    bool at_member() const { return m_depth == 1 && m_top_is_object; }
    bool at_record() const { return m_depth == 2 && m_in_entries; }
    bool is_header_key() const {
        return std::find(k_header_keys.begin(), k_header_keys.end(), m_key) != k_header_keys.end();
    }

    template <typename T> bool scalar(T&& v) {
        check_depth();
        if (m_building != Building::nothing) {
            m_builder.value(json(std::forward<T>(v)));
        } else if (at_member()) {
            if (m_key == "entries") {
                m_header["entries"] = nullptr; // not a list
            } else if (is_header_key()) {
                m_header[m_key] = json(std::forward<T>(v));
            }
        } else if (at_record()) {
            // Not an object: converting it says so.
            if (m_build_records) {
                m_build_records = m_on_record(json(std::forward<T>(v)), m_records + 1, 0, 0);
            }
            ++m_records;
        }
        return true;
    }

    bool open(json::value_t kind) {
        check_depth();
        if (m_building != Building::nothing) {
            m_builder.open(kind);
        } else if (m_depth == 0) {
            m_top_is_object = kind == json::value_t::object;
            m_header = m_top_is_object ? json::object() : json();
        } else if (at_member() && m_key == "entries") {
            m_header["entries"] = kind == json::value_t::array ? json::array() : json();
            if (kind == json::value_t::array) {
                m_in_entries = true;
                m_records = 0;
                m_build_records = m_on_entries(m_header);
            }
        } else if (at_member() && is_header_key()) {
            m_building = Building::header_member;
            m_builder.open(kind);
        } else if (at_record()) {
            m_record_start = m_stream.offset() - 1; // the parser has just read '{' or '['
            if (m_build_records) {
                m_building = Building::record;
                m_builder.open(kind);
            }
        }
        ++m_depth;
        return true;
    }

    bool close() {
        --m_depth;
        if (m_building != Building::nothing) {
            if (m_builder.close()) {
                finish_value();
            }
        } else if (at_record()) {
            ++m_records; // a record read past
        } else if (m_in_entries && m_depth == 1) {
            m_in_entries = false;
        }
        return true;
    }

    void finish_value() {
        if (m_building == Building::record) {
            // The parser has just read the record's closing '}' or ']'.
            m_build_records = m_on_record(m_builder.value(), m_records + 1, m_record_start,
                                          m_stream.offset() - m_record_start);
            ++m_records;
        } else {
            m_header[m_key] = m_builder.take();
        }
        m_building = Building::nothing;
    }

    const Stream& m_stream;
    std::string_view m_name;
    OnEntries m_on_entries;
    OnRecord m_on_record;
    json m_header;
    ValueBuilder m_builder;
    Building m_building = Building::nothing;
    // Containers open around the parser: 1 inside the top-level object, 2 inside "entries".
    int m_depth = 0;
    bool m_top_is_object = false;
    std::string m_key; // of the top-level member being read
    bool m_in_entries = false;
    bool m_build_records = false;
    std::size_t m_records = 0; // records of "entries" read so far
    std::uint64_t m_record_start = 0;
};

std::optional<ImportFormat> guess_format(const json& header, std::string_view name) {
    try {
        return detect_format(header, name);
    } catch (const DataError&) {
        return std::nullopt;
    }
}

// What one pass over the export found.
struct Pass {
    json header;
    // The format the records were converted in; none if it was not known in time.
    std::optional<ImportFormat> converted_as;
    std::vector<EntryPlace> places;
    // Each record's identity fingerprint, by its number (0 for a record left out).
    std::vector<std::uint64_t> fingerprints;
    std::size_t records = 0;
    std::size_t partner_entries = 0;
    std::size_t empty_entries = 0;
    // The first bad record: reported only once the whole file is known to be
    // JSON of the format it was converted in, as a syntax error anywhere comes first.
    std::exception_ptr first_error;
};

// Reads the whole export once, converting each record (in `known`, or else in
// the format the members before "entries" tell) to check it.
Pass scan(const Source& source, std::optional<ImportFormat> known) {
    const std::string& name = source.name();
    Pass pass;
    ImportBatch scratch;
    const auto on_entries = [&](const json& header) {
        // A repeated "entries" replaces the earlier one, as in a parsed document.
        pass.places.clear();
        pass.fingerprints.clear();
        pass.records = 0;
        pass.first_error = nullptr;
        scratch = ImportBatch();
        pass.converted_as = known ? known : guess_format(header, name);
        return pass.converted_as.has_value();
    };
    const auto on_record = [&](const json& record, std::size_t number, std::uint64_t offset,
                               std::uint64_t length) {
        scratch.entries.clear();
        try {
            add_record(*pass.converted_as, record, name, number, Identities::skip, scratch);
        } catch (const DataError&) {
            pass.first_error = std::current_exception();
            return false;
        }
        pass.records = number;
        pass.fingerprints.resize(number);
        if (!scratch.entries.empty()) {
            pass.places.push_back({scratch.entries.front().entry.created_at.seconds, offset,
                                   static_cast<std::uint32_t>(length),
                                   static_cast<std::uint32_t>(number)});
            pass.fingerprints[number - 1] = scratch.entries.front().fingerprint;
        }
        return true;
    };
    Stream stream(source);
    ExportScanner scanner(stream, name, on_entries, on_record);
    try {
        json::sax_parse(stream.begin(), Stream::end(), &scanner);
    } catch (const json::exception& e) {
        throw scanner.invalid_json(e);
    }
    pass.header = std::move(scanner.header());
    pass.partner_entries = scratch.partner_entries;
    pass.empty_entries = scratch.empty_entries;
    return pass;
}

} // namespace

ImportFormat detect_format(const json& doc, std::string_view name) {
    if (doc.is_object()) {
        const auto entries = doc.find("entries");
        const bool has_entries = entries != doc.end() && entries->is_array();
        const auto format = doc.find("format");
        if (format != doc.end() && format->is_string() && *format == "duet-export") {
            if (!has_entries) {
                throw DataError(fmt::format("{}: this duet export has no \"entries\" list; it "
                                            "may have been cut short",
                                            name));
            }
            return ImportFormat::duet;
        }
        if (has_entries && format == doc.end()) {
            const auto metadata = doc.find("metadata");
            if (metadata != doc.end() && metadata->is_object() && metadata->contains("version")) {
                return ImportFormat::dayone;
            }
            const auto tags = doc.find("tags");
            if (tags != doc.end() && tags->is_object()) {
                return ImportFormat::jrnl;
            }
        }
    }
    throw DataError(fmt::format("{} is not an export duet can import: {}", name, k_formats_read));
}

struct CheckedImport::State {
    template <typename... Args>
    explicit State(Args&&... args) : source(std::forward<Args>(args)...) {}

    Source source;
    bool blank = false;
    ImportFormat format = ImportFormat::duet;
    std::vector<EntryPlace> places; // oldest first
    std::vector<Repeat> repeats;    // by index into places
    std::size_t records = 0;
    std::size_t partner_entries = 0;
    std::size_t empty_entries = 0;

    void check() {
        const std::string& name = source.name();
        if (source.blank()) {
            blank = true;
            return;
        }
        Pass pass = scan(source, std::nullopt);
        format = detect_format(pass.header, name);
        if (format == ImportFormat::duet) {
            check_duet_version(pass.header, name);
        }
        if (pass.converted_as != format) {
            // What tells the format came after the entries: read them again, knowing it.
            pass = scan(source, format);
        }
        if (pass.first_error) {
            std::rethrow_exception(pass.first_error);
        }
        places = std::move(pass.places);
        records = pass.records;
        partner_entries = pass.partner_entries;
        empty_entries = pass.empty_entries;
        // Oldest first, so entry numbers follow the dates as they do for entries
        // written here; the same second keeps the file's order.
        const auto older = [](const EntryPlace& a, const EntryPlace& b) {
            return a.seconds < b.seconds || (a.seconds == b.seconds && a.number < b.number);
        };
        if (!std::is_sorted(places.begin(), places.end(), older)) {
            std::sort(places.begin(), places.end(), older);
        }
        repeats = find_repeats(places, pass.fingerprints);
    }

    static std::unique_ptr<State> checked(std::unique_ptr<State> state) {
        state->check();
        return state;
    }

    // The export open as `fd` (which it takes): read where it is when it is a
    // file, or all at once from a pipe (`--import <(jrnl --export json)`),
    // which cannot be read twice.
    static std::unique_ptr<State> of_fd(int fd, std::string name) {
        struct stat st {};
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            std::string text;
            try {
                text = read_all(fd, name);
            } catch (...) {
                ::close(fd);
                throw;
            }
            ::close(fd);
            return checked(std::make_unique<State>(std::move(text), std::move(name)));
        }
        if (static_cast<std::uint64_t>(st.st_size) > k_max_import_size) {
            ::close(fd);
            throw DataError(too_large(name));
        }
        return checked(std::make_unique<State>(fd, st, std::move(name)));
    }
};

CheckedImport::CheckedImport(std::unique_ptr<State> state) : m_state(std::move(state)) {}
CheckedImport::CheckedImport(CheckedImport&&) noexcept = default;
CheckedImport& CheckedImport::operator=(CheckedImport&&) noexcept = default;
CheckedImport::~CheckedImport() = default;

CheckedImport CheckedImport::of_text(std::string_view text, std::string_view name) {
    if (text.size() > k_max_import_size) {
        throw DataError(too_large(name));
    }
    auto state = std::make_unique<State>(text, std::string(name));
    state->check();
    return CheckedImport(std::move(state));
}

CheckedImport CheckedImport::of_file(const std::filesystem::path& file) {
    std::string name = file.string();
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw RuntimeError(fmt::format("could not read {}: {}", name,
                                       errno == ENOENT ? "no such file" : std::strerror(errno)));
    }
    return CheckedImport(State::of_fd(fd, std::move(name)));
}

CheckedImport CheckedImport::of_stdin() {
    std::string name = "standard input";
    // A copy, so standard input itself stays open.
    const int fd = ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        fail_read(name);
    }
    return CheckedImport(State::of_fd(fd, std::move(name)));
}

const std::string& CheckedImport::name() const {
    return m_state->source.name();
}

bool CheckedImport::blank() const {
    return m_state->blank;
}

std::size_t CheckedImport::records() const {
    return m_state->records;
}

ImportFormat CheckedImport::format() const {
    return m_state->format;
}

std::size_t CheckedImport::size() const {
    return m_state->places.size();
}

std::size_t CheckedImport::partner_entries() const {
    return m_state->partner_entries;
}

std::size_t CheckedImport::empty_entries() const {
    return m_state->empty_entries;
}

void CheckedImport::for_each(const std::function<void(ImportedEntry&)>& take) const {
    const State& s = *m_state;
    s.source.check_unchanged();
    RecordReader reader(s.source);
    ImportBatch scratch;
    auto repeat = s.repeats.begin();
    for (std::size_t index = 0; index < s.places.size(); ++index) {
        const EntryPlace& place = s.places[index];
        const std::string_view bytes = reader.read(place);
        scratch.entries.clear();
        try {
            const json record = json::parse(bytes.begin(), bytes.end(), nullptr, false);
            add_record(s.format, record, s.source.name(), place.number, Identities::compute,
                       scratch);
        } catch (const DataError&) {
            fail_changed(s.source.name());
        }
        // The same record as when it was checked, or the file changed under us.
        if (scratch.entries.size() != 1 ||
            scratch.entries[0].entry.created_at.seconds != place.seconds) {
            fail_changed(s.source.name());
        }
        if (repeat != s.repeats.end() && repeat->index == index) {
            scratch.entries[0].occurrence = repeat->occurrence;
            scratch.entries[0].repeated = true;
            ++repeat;
        }
        take(scratch.entries[0]);
    }
}

namespace {

ImportBatch collect(const CheckedImport& checked) {
    ImportBatch batch;
    batch.format = checked.format();
    batch.partner_entries = checked.partner_entries();
    batch.empty_entries = checked.empty_entries();
    batch.entries.reserve(checked.size());
    checked.for_each([&](ImportedEntry& item) { batch.entries.push_back(std::move(item)); });
    return batch;
}

} // namespace

ImportBatch parse_import(std::string_view text, std::string_view name) {
    return collect(CheckedImport::of_text(text, name));
}

ImportBatch read_import(const std::filesystem::path& file) {
    return collect(CheckedImport::of_file(file));
}

} // namespace duet::transfer
