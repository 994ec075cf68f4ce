// Reading an export: one streaming pass that checks every record and keeps
// only where each entry is, then the entries read again one by one, oldest first.
#include "duet/transfer/import.hpp"

#include "duet/error.hpp"
#include "duet/util/files.hpp"
#include "formats.hpp"
#include "scan.hpp"
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

constexpr int k_duet_export_version = 1;

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
