#pragma once
// Rows of a rowid table one at a time, going on past damaged pages. Private to src/store.
#include "database.hpp"

#include <functional>

namespace duet::store {

// Reads the rows of an id range in id order (or reversed). When the scan
// meets a damaged page it goes on one row at a time, by the ids the table's
// index still names; each row that neither holds is passed to `lost`.
class RowReader {
  public:
    struct Range {
        std::string table;
        std::string index;   // the index that names the table's ids
        std::string columns; // selected after the id, which is column 0
        std::int64_t first = INT64_MIN;
        std::int64_t last = INT64_MAX;
        bool descending = false;
    };
    using LostFn = std::function<void(std::int64_t id)>;

    RowReader(const Database& db, Range range, LostFn lost);
    // The statement standing on the next row, or nullptr after the last one;
    // valid until the next call.
    SQLite::Statement* next();

  private:
    void switch_to_one_at_a_time();
    SQLite::Statement* next_one_at_a_time();

    const Database* m_db;
    Range m_range;
    LostFn m_lost;
    std::optional<SQLite::Statement> m_scan;
    std::optional<SQLite::Statement> m_one;
    std::optional<std::int64_t> m_passed; // the last id the scan stepped over
    // Once the scan met a damaged page: the ids still to try, next one last.
    std::optional<std::vector<std::int64_t>> m_pending;
};

} // namespace duet::store
