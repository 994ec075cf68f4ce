// PagedStream: text streamed into the pager as the command writes it.
#include "duet/cli/output.hpp"

#include "piece_buf.hpp"

#include <algorithm>
#include <streambuf>

namespace duet::cli {

namespace {

// Pipes hold 64 KiB by default and at most 1 MiB (fs.pipe-max-size): once a
// pager has taken more than this, it is surely running and reading.
constexpr std::size_t k_proof_of_reading = std::size_t{1} << 20;
// Text goes to the pager in pieces of about this size, not a write per <<.
constexpr std::size_t k_piece = 4096;

} // namespace

class PagedStream::Buf final : public PieceBuf {
  public:
    Buf(Output& output, StartPager start)
        : m_output(output), m_start(std::move(start)),
          m_height(output.rows() == 0 ? 24 : output.rows()),
          m_mode(output.out_is_terminal() ? Mode::holding : Mode::direct) {}

    void finish() {
        switch (m_mode) {
        case Mode::holding: // shorter than the terminal: no pager
            m_mode = Mode::direct;
            put(std::exchange(m_held, {}));
            break;
        case Mode::paging:
            send_pending();
            if (m_mode == Mode::paging) {
                end_pager();
            }
            break;
        case Mode::direct:
        case Mode::dropping:
        case Mode::finished:
            break;
        }
        if (m_mode == Mode::direct) {
            m_output.data().flush();
        }
        m_mode = Mode::finished;
    }

  protected:
    int sync() override {
        if (m_mode == Mode::paging) {
            send_pending();
        } else if (m_mode == Mode::direct) {
            m_output.data().flush();
        }
        return 0;
    }

  private:
    // holding: the first screenful, not yet known to need a pager; paging:
    // into the pager; direct: to Output::data(); dropping: the pager was quit.
    enum class Mode { holding, paging, direct, dropping, finished };

    void put(std::string_view s) override {
        switch (m_mode) {
        case Mode::holding:
            m_held.append(s);
            m_lines += static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
            // The shell's prompt needs the last row.
            if (m_lines >= m_height) {
                start_pager();
            }
            break;
        case Mode::paging:
            m_pending.append(s);
            if (m_pending.size() >= k_piece) {
                send_pending();
            }
            break;
        case Mode::direct:
            m_output.data().write(s.data(), static_cast<std::streamsize>(s.size()));
            break;
        case Mode::dropping:
        case Mode::finished:
            break;
        }
    }

    void start_pager() {
        m_output.flush(); // what came before shows above the pager
        m_pager = m_start ? m_start() : nullptr;
        if (!m_pager) {
            m_mode = Mode::direct;
            put(std::exchange(m_held, {}));
            return;
        }
        m_mode = Mode::paging;
        m_pending = std::exchange(m_held, {});
        send_pending();
    }

    void send_pending() {
        if (m_pending.empty()) {
            return;
        }
        const std::string piece = std::exchange(m_pending, {});
        if (!m_pager->write(piece)) {
            m_copy += piece; // it may never have started: then this is shown too
            end_pager();
            return;
        }
        // Until the pager has surely read, a copy is kept to show if it failed.
        if (!m_proven) {
            m_copy += piece;
            if (m_copy.size() > k_proof_of_reading) {
                m_proven = true;
                m_copy = std::string();
            }
        }
    }

    // The pager has gone, or the text has ended: wait for it; if it could not
    // be started, show the text directly after all.
    void end_pager() {
        const bool shown = m_pager->finish();
        m_pager.reset();
        if (!shown && !m_proven) {
            m_mode = Mode::direct;
            put(std::exchange(m_copy, {}));
        } else {
            m_mode = Mode::dropping; // the person quit the pager: the rest is not wanted
        }
    }

    Output& m_output;
    StartPager m_start;
    std::size_t m_height;
    Mode m_mode;
    std::string m_held;
    std::size_t m_lines = 0;
    std::unique_ptr<Pager> m_pager;
    std::string m_pending;
    std::string m_copy;
    bool m_proven = false;
};

PagedStream::PagedStream(Output& output, StartPager start)
    : m_buf(std::make_unique<Buf>(output, std::move(start))),
      m_stream(std::make_unique<std::ostream>(m_buf.get())) {}

PagedStream::PagedStream(PagedStream&&) noexcept = default;

PagedStream::~PagedStream() {
    if (m_buf) {
        try {
            m_buf->finish();
        } catch (...) { // NOLINT(bugprone-empty-catch): a destructor must not throw
        }
    }
}

std::ostream& PagedStream::stream() {
    return *m_stream;
}

void PagedStream::finish() {
    m_buf->finish();
}

PagedStream Output::paged(StartPager start) {
    return PagedStream(*this, std::move(start));
}

} // namespace duet::cli
