// vdk-bench: the C++ shim over Google Benchmark (the only C++ in vdk). It
// registers C callbacks as benchmarks with manual timing, passes Google
// Benchmark's flags and reporters through untouched, and hands each finished
// benchmark's median and minimum back to C.
#include "vdk_bench.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

struct vdkb_state {
    benchmark::State *st;
};

namespace {

struct Entry {
    vdkb_benchmark def;
    std::string name;
    bool ready = false;   // setup ran and succeeded
    bool skip = false;    // setup declined, or a run failed: every later call skips
    bool failed = false;  // the skip is an error, not a declined case
    bool done = false;    // its result went to C
    std::string message;
};

std::vector<std::unique_ptr<Entry>> entries;
Entry *active = nullptr;

void deactivate()
{
    if (active && active->ready && active->def.teardown)
        active->def.teardown(active->def.user);
    if (active)
        active->ready = false;
    active = nullptr;
}

// Makes e the benchmark whose tensors are alive: the previous one's go first,
// so that one large case at a time is in memory.
void activate(Entry *e)
{
    if (active == e)
        return;
    deactivate();
    active = e;
    if (e->skip || !e->def.setup) {
        e->ready = !e->skip;
        return;
    }
    char msg[VDKB_MESSAGE_SIZE] = "";
    int failed = 0;
    if (e->def.setup(e->def.user, msg, sizeof msg, &failed) == 0) {
        e->ready = true;
        return;
    }
    e->skip = true;
    e->failed = failed != 0;
    e->message = msg[0] ? msg : "setup declined the case";
}

void body(benchmark::State &st, Entry *e)
{
    activate(e);
    if (e->skip) {
        st.SkipWithError(e->message.c_str());
        return;
    }
    for (auto _ : st) {
        char msg[VDKB_MESSAGE_SIZE] = "";
        double seconds = e->def.run(e->def.user, msg, sizeof msg);
        if (seconds < 0) {
            e->skip = true;
            e->failed = true;
            e->message = msg[0] ? msg : "the call failed";
            st.SkipWithError(e->message.c_str());
            break;
        }
        st.SetIterationTime(seconds);
    }
    if (!st.error_occurred() && e->def.report) {
        vdkb_state s{&st};
        e->def.report(e->def.user, &s);
    }
}

double stat_min(const std::vector<double> &v)
{
    return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
}

double median_of(std::vector<double> v)
{
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Entry *find(const std::string &name)
{
    for (auto &e : entries)
        if (e->name == name)
            return e.get();
    return nullptr;
}

// Passes everything to the reporter Google Benchmark would have used, and
// collects each benchmark's repetitions for C. A benchmark is complete when
// its aggregates arrive, or with its runs when there are none to come (one
// repetition, or an error).
class Tee : public benchmark::BenchmarkReporter {
  public:
    Tee(benchmark::BenchmarkReporter *inner, vdkb_result_fn fn, void *ctx)
        : inner_(inner), fn_(fn), ctx_(ctx)
    {
    }

    bool ReportContext(const Context &context) override { return inner_->ReportContext(context); }

    void ReportRuns(const std::vector<Run> &runs) override
    {
        inner_->ReportRuns(runs);
        for (const Run &run : runs) {
            Entry *e = find(run.run_name.function_name);
            if (!e || e->done)
                continue;
            if (pending_ && pending_ != e)
                flush();
            pending_ = e;
            if (run.error_occurred) {
                error_ = true;
                if (message_.empty())
                    message_ = run.error_message;
                continue;
            }
            const double per_call =
                run.iterations > 0 ? run.real_accumulated_time / (double)run.iterations : 0.0;
            expected_ = (int)run.repetitions;
            if (run.run_type == Run::RT_Aggregate) {
                have_aggregates_ = true;
                if (run.aggregate_name == "median")
                    agg_median_ = per_call;
                else if (run.aggregate_name == "min")
                    agg_min_ = per_call;
            } else {
                reps_.push_back(per_call);
                iterations_ = (long long)run.iterations;
            }
        }
        if (pending_ && (error_ || have_aggregates_ || expected_ <= 1))
            flush();
    }

    void Finalize() override
    {
        flush();
        inner_->Finalize();
    }

  private:
    void flush()
    {
        Entry *e = pending_;
        if (!e)
            return;
        vdkb_result r{};
        r.name = e->name.c_str();
        r.user = e->def.user;
        if (error_ || (reps_.empty() && agg_median_ < 0)) {
            r.skipped = 1;
            r.failed = e->failed;
            r.message = !e->message.empty() ? e->message.c_str()
                        : !message_.empty()  ? message_.c_str()
                                             : "no measurement";
        } else {
            r.median_s = agg_median_ >= 0 ? agg_median_ : median_of(reps_);
            r.min_s = agg_min_ >= 0 ? agg_min_ : stat_min(reps_);
            r.repetitions = reps_.empty() ? expected_ : (int)reps_.size();
            r.iterations = iterations_;
        }
        e->done = true;
        fn_(ctx_, &r);
        pending_ = nullptr;
        reps_.clear();
        agg_median_ = agg_min_ = -1;
        have_aggregates_ = error_ = false;
        message_.clear();
        expected_ = 0;
        iterations_ = 0;
    }

    benchmark::BenchmarkReporter *inner_;
    vdkb_result_fn fn_;
    void *ctx_;
    Entry *pending_ = nullptr;
    std::vector<double> reps_;
    double agg_median_ = -1, agg_min_ = -1;
    bool have_aggregates_ = false, error_ = false;
    std::string message_;
    int expected_ = 0;
    long long iterations_ = 0;
};

// The reporter options that Initialize consumes; read before it runs, with
// Google Benchmark's defaults and environment variables.
struct DisplayFlags {
    std::string format = "console";
    std::string color = "auto";
    bool tabular = false;
} display;

bool truthy(const std::string &v)
{
    return v == "1" || v == "true" || v == "yes" || v == "on" || v == "t" || v == "y" ||
           v == "True" || v == "TRUE" || v == "Yes" || v == "YES";
}

void read_display_flags(int argc, char **argv)
{
    if (const char *env = getenv("BENCHMARK_FORMAT"))
        display.format = env;
    if (const char *env = getenv("BENCHMARK_COLOR"))
        display.color = env;
    if (const char *env = getenv("BENCHMARK_COUNTERS_TABULAR"))
        display.tabular = truthy(env);
    for (int i = 1; i < argc; i++) {
        const std::string a = argv[i];
        auto value = [&](const char *flag, std::string *out) {
            const std::string f = std::string("--") + flag;
            if (a == f) {
                *out = "true";
                return true;
            }
            if (a.compare(0, f.size() + 1, f + "=") == 0) {
                *out = a.substr(f.size() + 1);
                return true;
            }
            return false;
        };
        std::string v;
        if (value("benchmark_format", &v))
            display.format = v;
        else if (value("benchmark_color", &v))
            display.color = v;
        else if (value("benchmark_counters_tabular", &v))
            display.tabular = truthy(v);
    }
}

std::unique_ptr<benchmark::BenchmarkReporter> make_display()
{
    if (display.format == "json")
        return std::unique_ptr<benchmark::BenchmarkReporter>(new benchmark::JSONReporter);
    if (display.format == "csv") {
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
        return std::unique_ptr<benchmark::BenchmarkReporter>(new benchmark::CSVReporter);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    }
    int opts = benchmark::ConsoleReporter::OO_None;
    bool color = display.color == "auto" ? isatty(STDOUT_FILENO) && getenv("TERM") &&
                                               strcmp(getenv("TERM"), "dumb") != 0
                                         : truthy(display.color);
    if (color)
        opts |= benchmark::ConsoleReporter::OO_Color;
    if (display.tabular)
        opts |= benchmark::ConsoleReporter::OO_Tabular;
    return std::unique_ptr<benchmark::BenchmarkReporter>(
        new benchmark::ConsoleReporter((benchmark::ConsoleReporter::OutputOptions)opts));
}

} // namespace

extern "C" {

void vdkb_set_counter(vdkb_state *state, const char *name, double value, vdkb_counter_kind kind)
{
    // A rate is the value of one call over that call's time; Google Benchmark
    // divides by the repetition's total (manual) time, so the value is scaled
    // by the iterations first.
    state->st->counters[name] =
        kind == VDKB_COUNTER_RATE
            ? benchmark::Counter(value, benchmark::Counter::kIsIterationInvariantRate)
            : benchmark::Counter(value);
}

void vdkb_set_label(vdkb_state *state, const char *label) { state->st->SetLabel(label); }

void vdkb_add_context(const char *key, const char *value)
{
    benchmark::AddCustomContext(key, value ? value : "");
}

int vdkb_register(const vdkb_benchmark *b)
{
    try {
        std::unique_ptr<Entry> e(new Entry);
        e->def = *b;
        e->name = b->name;
        e->def.name = nullptr;
        Entry *raw = e.get();
        entries.push_back(std::move(e));
        benchmark::RegisterBenchmark(raw->name.c_str(),
                                     [raw](benchmark::State &st) { body(st, raw); })
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->ComputeStatistics("min", stat_min);
    } catch (...) {
        return -1;
    }
    return 0;
}

int vdkb_initialize(int *argc, char **argv)
{
    read_display_flags(*argc, argv);
    benchmark::Initialize(argc, argv);
    if (benchmark::ReportUnrecognizedArguments(*argc, argv))
        return -1;
    if (display.format != "console" && display.format != "json" && display.format != "csv") {
        fprintf(stderr, "vdk-bench: --benchmark_format takes console, json or csv, not '%s'\n",
                display.format.c_str());
        return -1;
    }
    return 0;
}

void vdkb_print_help(void) { benchmark::PrintDefaultHelp(); }

int vdkb_run(vdkb_result_fn on_result, void *ctx)
{
    std::unique_ptr<benchmark::BenchmarkReporter> inner = make_display();
    Tee tee(inner.get(), on_result, ctx);
    size_t n = benchmark::RunSpecifiedBenchmarks(&tee);
    deactivate();
    return (int)n;
}

void vdkb_shutdown(void)
{
    deactivate();
    benchmark::Shutdown();
    entries.clear();
}

} // extern "C"
