/* The compiled BKT passes and CSV reader behind waypoint.mastery.bkt_native: plain C99, no Python headers,
 * loaded with ctypes.
 *
 * Attempts are grouped by sequence (one student's attempts at one skill, in time order), and sequences by
 * skill (bkt_sequences). For each sequence a forward pass keeps the joint probabilities of each state after
 * every attempt in a scratch buffer the length of the sequence (it stays in cache), then a backward pass
 * turns them into smoothed estimates and adds each expected count straight into the skill's totals
 * (sequence_expectations): nothing is allocated and nothing per attempt is written back to memory but the
 * scratch. bkt_em runs bkt._em's whole SQUAREM loop for each skill over its own sequences; bkt_read_rows
 * reads a pyBKT-style CSV file in one pass over its bytes.
 */
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

/* The totals kept per skill, in this order (see bkt_native.COUNTS): the log-likelihood, the numerators of
 * the four estimates, their denominators. */
enum {
    LOG_LIKELIHOOD,
    PRIOR_KNOWN,     /* smoothed P(known) at each sequence's first attempt */
    NOT_YET,         /* sum over attempts with a successor of P(not known at t, known at t+1 | all) / learn */
    UNKNOWN_CORRECT, /* smoothed P(not known) over right answers */
    KNOWN_WRONG,     /* smoothed P(known) over wrong answers */
    SEQUENCES,
    UNKNOWN_GOING_ON, /* smoothed P(not known) over attempts with a successor */
    UNKNOWN_ALL,
    KNOWN_ALL,
    COUNTS
};

/* The forward pass carries joint probabilities (of the state and the answers so far) without dividing, and
 * multiplies both by 2^RESCALE_BITS when their sum falls below 2^-RESCALE_BITS; each attempt shrinks it by a
 * factor of at least PROBABILITY_MARGIN (1e-10). The sum thus stays within a few hundred powers of two of 1,
 * so the smaller state keeps almost all the range it has when normalised (a P(not known) of 1e-250 after a
 * long streak is still there to explain a later slump); rescaling near underflow instead would cut it to
 * zero once it fell 1e-58 below the other. */
#define RESCALE_BITS 100

/* Adds one sequence's log-likelihood and expected counts to `total` (COUNTS values), under the parameters
 * (prior, learn, guess, slip). scratch holds 2 x scratch_length values, scratch_length being at least
 * the sequence's length. */
static void sequence_expectations(const int8_t *answers, int64_t length, const double *parameters,
                                  double *total, double *scratch, int64_t scratch_length) {
    const double rescale = ldexp(1.0, RESCALE_BITS), minimum = ldexp(1.0, -RESCALE_BITS);
    const double log_rescale = RESCALE_BITS * log(2.0);
    double *joint_known = scratch;
    double *joint_unknown = scratch + scratch_length;
    const double prior = parameters[0], learn = parameters[1], guess = parameters[2], slip = parameters[3];
    /* By answer (wrong, right): P(answer | known), and P(answer | not known) x P(not learning after). */
    const double if_known[2] = {slip, 1.0 - slip};
    const double if_unknown[2] = {1.0 - guess, guess};
    const double staying[2] = {(1.0 - guess) * (1.0 - learn), guess * (1.0 - learn)};

    /* Forward: P(known, answers to t) and P(not known, answers to t), kept apart because either can be
     * too close to their sum for its complement to survive rounding (see bkt._Filtered). */
    double known = prior * if_known[answers[0]], unknown = (1.0 - prior) * if_unknown[answers[0]];
    int64_t rescales = 0;
    joint_known[0] = known;
    joint_unknown[0] = unknown;
    for (int64_t t = 1; t < length; t++) {
        const int answer = answers[t];
        known = (known + learn * unknown) * if_known[answer];
        unknown *= staying[answer];
        if (known + unknown < minimum) {
            known *= rescale;
            unknown *= rescale;
            rescales++;
        }
        joint_known[t] = known;
        joint_unknown[t] = unknown;
    }
    total[LOG_LIKELIHOOD] += log(known + unknown) - (double)rescales * log_rescale;

    /* Backward: without forgetting, P(known at t | all) = P(known at t+1 | all) x P(known at t | answers
     * to t) / P(known at t+1 | answers to t), the last ratio being K / (K + learn U) in joint terms; and
     * P(not known at t, known at t+1 | all) / learn = P(known at t+1 | all) x U / (K + learn U). */
    double smoothed = known / (known + unknown);
    double not_yet = 0.0, unknown_going_on = 0.0;
    double unknown_correct = 0.0, unknown_all = 0.0, known_wrong = 0.0, known_all = 0.0;
    {
        const double right = answers[length - 1];
        unknown_correct += right * (1.0 - smoothed);
        unknown_all += 1.0 - smoothed;
        known_wrong += smoothed - right * smoothed;
        known_all += smoothed;
    }
    for (int64_t t = length - 2; t >= 0; t--) {
        /* The division is off the chain from one step to the next, which is a single product. */
        const double inverse = 1.0 / (joint_known[t] + learn * joint_unknown[t]);
        not_yet += joint_unknown[t] * inverse * smoothed;
        smoothed *= joint_known[t] * inverse;
        const double unknown_smoothed = 1.0 - smoothed;
        const double right = answers[t];
        unknown_going_on += unknown_smoothed;
        unknown_correct += right * unknown_smoothed;
        unknown_all += unknown_smoothed;
        known_wrong += smoothed - right * smoothed;
        known_all += smoothed;
    }
    total[PRIOR_KNOWN] += smoothed;
    total[SEQUENCES] += 1.0;
    total[NOT_YET] += not_yet;
    total[UNKNOWN_GOING_ON] += unknown_going_on;
    total[UNKNOWN_CORRECT] += unknown_correct;
    total[UNKNOWN_ALL] += unknown_all;
    total[KNOWN_WRONG] += known_wrong;
    total[KNOWN_ALL] += known_all;
}

/* One E-step over one skill's sequences (from first_sequence to end_sequence): its totals, overwritten. */
static void skill_expectations(const int8_t *correct, const int64_t *sequence_offsets, int64_t first_sequence,
                               int64_t end_sequence, const double *parameters, double *total, double *scratch,
                               int64_t scratch_length) {
    for (int k = 0; k < COUNTS; k++) total[k] = 0.0;
    for (int64_t sequence = first_sequence; sequence < end_sequence; sequence++) {
        sequence_expectations(correct + sequence_offsets[sequence],
                              sequence_offsets[sequence + 1] - sequence_offsets[sequence], parameters, total,
                              scratch, scratch_length);
    }
}

#define PROBABILITY_MARGIN 1e-10
#define MAX_EXTRAPOLATION 100.0

static double inside(double value) {
    return value < PROBABILITY_MARGIN ? PROBABILITY_MARGIN
                                      : (value > 1.0 - PROBABILITY_MARGIN ? 1.0 - PROBABILITY_MARGIN : value);
}

/* The M-step (bkt._maximise): a parameter without evidence keeps its value. */
static void maximise(const double *total, const double *current, double *estimate) {
    const double numerators[4] = {total[PRIOR_KNOWN], current[1] * total[NOT_YET], total[UNKNOWN_CORRECT],
                                  total[KNOWN_WRONG]};
    const double denominators[4] = {total[SEQUENCES], total[UNKNOWN_GOING_ON], total[UNKNOWN_ALL],
                                    total[KNOWN_ALL]};
    for (int k = 0; k < 4; k++) {
        estimate[k] = inside(denominators[k] > 0 ? numerators[k] / denominators[k] : current[k]);
    }
}

/* One E-step for each skill of `chosen` (count of them) over its sequences from skill_starts[skill] to
 * skill_ends[skill], at theta (4 rows of `skills`: prior, learn, guess, slip): totals (skills x COUNTS) gets
 * its row. */
void bkt_skill_totals(const int8_t *correct, const int64_t *sequence_offsets, const int64_t *skill_starts,
                      const int64_t *skill_ends, const int64_t *chosen, int64_t count, const double *theta,
                      int64_t skills, double *totals, double *scratch, int64_t scratch_length) {
    for (int64_t index = 0; index < count; index++) {
        const int64_t skill = chosen[index];
        const double parameters[4] = {theta[skill], theta[skills + skill], theta[2 * skills + skill],
                                      theta[3 * skills + skill]};
        skill_expectations(correct, sequence_offsets, skill_starts[skill], skill_ends[skill], parameters,
                           totals + skill * COUNTS, scratch, scratch_length);
    }
}

/* bkt._em for each skill of `chosen` (count of them) on its own, start to finish: the same SQUAREM
 * iterations and stopping rules, with every E-step over that skill's sequences only (from
 * skill_starts[skill] to skill_ends[skill]), so that a small skill's data stays in cache and no Python runs
 * between steps. theta (4 rows of `skills`) is read and updated in place. */
void bkt_em(const int8_t *correct, const int64_t *sequence_offsets, const int64_t *skill_starts,
            const int64_t *skill_ends, const int64_t *chosen, int64_t count, double *theta, int64_t skills,
            int64_t iterations, double tolerance, double *scratch, int64_t scratch_length) {
    for (int64_t index = 0; index < count; index++) {
        const int64_t skill = chosen[index];
        const int64_t first_sequence = skill_starts[skill], end_sequence = skill_ends[skill];
        double current[4], first[4], second[4], leap[4], landed[4];
        double totals[COUNTS], first_totals[COUNTS], leap_totals[COUNTS];
        for (int k = 0; k < 4; k++) current[k] = theta[k * skills + skill];
        double previous = -INFINITY;
        for (int64_t iteration = 0; iteration < iterations; iteration++) {
            skill_expectations(correct, sequence_offsets, first_sequence, end_sequence, current, totals, scratch,
                               scratch_length);
            const double likelihood = totals[LOG_LIKELIHOOD];
            if (!(likelihood - previous > tolerance * tolerance * fabs(likelihood))) break;
            maximise(totals, current, first);
            double moved = 0.0;
            for (int k = 0; k < 4; k++) moved = fmax(moved, fabs(first[k] - current[k]));
            if (moved <= tolerance) {
                for (int k = 0; k < 4; k++) current[k] = first[k];
                break;
            }
            previous = likelihood;
            skill_expectations(correct, sequence_offsets, first_sequence, end_sequence, first, first_totals,
                               scratch, scratch_length);
            maximise(first_totals, first, second);
            double step[4], curvature[4], squared_step = 0.0, squared_curvature = 0.0;
            for (int k = 0; k < 4; k++) {
                step[k] = first[k] - current[k];
                curvature[k] = second[k] - first[k] - step[k];
                squared_step += step[k] * step[k];
                squared_curvature += curvature[k] * curvature[k];
            }
            /* SQUAREM's third scheme: the step length -|r|/|v|, never shorter than plain EM's (-1). */
            double length = -sqrt(squared_curvature > 0 ? squared_step / squared_curvature : 1.0);
            length = length < -MAX_EXTRAPOLATION ? -MAX_EXTRAPOLATION : (length > -1.0 ? -1.0 : length);
            for (int k = 0; k < 4; k++) {
                leap[k] = inside(current[k] - 2 * length * step[k] + length * length * curvature[k]);
            }
            skill_expectations(correct, sequence_offsets, first_sequence, end_sequence, leap, leap_totals,
                               scratch, scratch_length);
            maximise(leap_totals, leap, landed);
            const int leap_kept = leap_totals[LOG_LIKELIHOOD] >= first_totals[LOG_LIKELIHOOD];
            for (int k = 0; k < 4; k++) current[k] = leap_kept ? landed[k] : second[k];
        }
        for (int k = 0; k < 4; k++) theta[k * skills + skill] = current[k];
    }
}

/* A stable counting sort of `count` rows by key(row) in [0, keys): `order` gets the rows from `input` (all
 * rows if input is NULL) in key order; tally holds keys + 1 values. */
static void counting_sort(const int64_t *input, int64_t count, const int64_t *major, int64_t multiplier,
                          const int64_t *minor, int64_t keys, int64_t *tally, int64_t *order) {
    memset(tally, 0, sizeof(int64_t) * (size_t)(keys + 1));
    for (int64_t row = 0; row < count; row++) {
        tally[major[row] * multiplier + (minor ? minor[row] : 0) + 1]++;
    }
    for (int64_t key = 0; key < keys; key++) tally[key + 1] += tally[key];
    for (int64_t index = 0; index < count; index++) {
        const int64_t row = input ? input[index] : index;
        order[tally[major[row] * multiplier + (minor ? minor[row] : 0)]++] = row;
    }
}

/* Groups `count` attempts into sequences, grouped by skill: `correct_sorted` gets the answers by skill, then
 * student, then row, `sequence_offsets` the start of each sequence (and the end after the last), and
 * `sequence_skill` each sequence's skill; both have room for min(count, pairs) + 1 values, where pairs is
 * the number of (skill, student) pairs. When there are fewer pairs than `tally_length`, one counting sort
 * on the pair, whose non-empty buckets are the sequences; else one counting sort on each key, least
 * significant first, through two arrays of `count` row indices. Returns the number of sequences, or -1 if
 * memory ran out. */
int64_t bkt_sequences(const int64_t *students, const int64_t *skills, const int8_t *correct, int64_t count,
                      int64_t student_codes, int64_t skill_codes, int64_t *tally, int64_t tally_length,
                      int8_t *correct_sorted, int64_t *sequence_offsets, int32_t *sequence_skill) {
    int64_t sequences = 0;
    const int64_t pairs = student_codes * skill_codes;
    if (pairs < tally_length) {
        memset(tally, 0, sizeof(int64_t) * (size_t)(pairs + 1));
        for (int64_t row = 0; row < count; row++) tally[skills[row] * student_codes + students[row] + 1]++;
        for (int64_t pair = 0; pair < pairs; pair++) {
            if (tally[pair + 1]) {
                sequence_offsets[sequences] = tally[pair];
                sequence_skill[sequences] = (int32_t)(pair / student_codes);
                sequences++;
            }
            tally[pair + 1] += tally[pair];
        }
        for (int64_t row = 0; row < count; row++) {
            correct_sorted[tally[skills[row] * student_codes + students[row]]++] = correct[row];
        }
        sequence_offsets[sequences] = count;
        return sequences;
    }
    int64_t *order = malloc(sizeof(int64_t) * (size_t)(count + 1));
    int64_t *work = malloc(sizeof(int64_t) * (size_t)(count + 1));
    if (!order || !work) {
        free(order);
        free(work);
        return -1;
    }
    counting_sort(NULL, count, students, 1, NULL, student_codes, tally, work);
    counting_sort(work, count, skills, 1, NULL, skill_codes, tally, order);
    for (int64_t index = 0; index < count; index++) {
        const int64_t row = order[index];
        correct_sorted[index] = correct[row];
        if (index == 0 || students[row] != students[order[index - 1]] ||
            skills[row] != skills[order[index - 1]]) {
            sequence_offsets[sequences] = index;
            sequence_skill[sequences] = (int32_t)skills[row];
            sequences++;
        }
    }
    sequence_offsets[sequences] = count;
    free(order);
    free(work);
    return sequences;
}

/* --- Reading pyBKT's CSV format ------------------------------------------------------------------------ */

/* Names coded in order of first appearance: an open-addressing table of codes, the names themselves being
 * (start, length) pairs into the buffer. */
typedef struct {
    int64_t *slots; /* code + 1, 0 for empty */
    uint64_t *hashes;
    int64_t capacity;
    int64_t count;
    int64_t *name_start;
    int64_t *name_length;
} NameTable;

static uint64_t name_hash(const uint8_t *text, int64_t length) {
    uint64_t hash = 1469598103934665603ULL; /* FNV-1a */
    for (int64_t i = 0; i < length; i++) hash = (hash ^ text[i]) * 1099511628211ULL;
    return hash ^ (hash >> 29);
}

static int table_grow(NameTable *table, const uint8_t *buffer) {
    const int64_t capacity = table->capacity ? 2 * table->capacity : 1024;
    int64_t *slots = calloc((size_t)capacity, sizeof(int64_t));
    uint64_t *hashes = malloc((size_t)capacity * sizeof(uint64_t));
    if (!slots || !hashes) {
        free(slots);
        free(hashes);
        return 0;
    }
    for (int64_t code = 0; code < table->count; code++) {
        const uint64_t hash = name_hash(buffer + table->name_start[code], table->name_length[code]);
        int64_t slot = (int64_t)(hash & (uint64_t)(capacity - 1));
        while (slots[slot]) slot = (slot + 1) & (capacity - 1);
        slots[slot] = code + 1;
        hashes[slot] = hash;
    }
    free(table->slots);
    free(table->hashes);
    table->slots = slots;
    table->hashes = hashes;
    table->capacity = capacity;
    return 1;
}

/* The code of the name, adding it if new; -1 if out of memory. */
static int64_t table_code(NameTable *table, const uint8_t *buffer, int64_t start, int64_t length) {
    if (2 * (table->count + 1) > table->capacity && !table_grow(table, buffer)) return -1;
    const uint64_t hash = name_hash(buffer + start, length);
    int64_t slot = (int64_t)(hash & (uint64_t)(table->capacity - 1));
    while (table->slots[slot]) {
        const int64_t code = table->slots[slot] - 1;
        if (table->hashes[slot] == hash && table->name_length[code] == length &&
            memcmp(buffer + table->name_start[code], buffer + start, (size_t)length) == 0) {
            return code;
        }
        slot = (slot + 1) & (table->capacity - 1);
    }
    const int64_t code = table->count++;
    table->slots[slot] = code + 1;
    table->hashes[slot] = hash;
    table->name_start[code] = start;
    table->name_length[code] = length;
    return code;
}

/* Whether the name at (start, length) is that of `code` (-1: none). */
static int same_name(const NameTable *table, int64_t code, const uint8_t *buffer, int64_t start,
                     int64_t length) {
    return code >= 0 && table->name_length[code] == length &&
           memcmp(buffer + table->name_start[code], buffer + start, (size_t)length) == 0;
}

/* Whether Python's str.strip() could remove something at this end of the field: ASCII whitespace, or (to
 * stay on the safe side) any non-ASCII character, whose whitespace forms the fast reader does not decode. */
static int strippable(uint8_t byte) {
    return byte == ' ' || (byte >= '\t' && byte <= '\r') || (byte >= 0x1c && byte <= 0x1f) || byte >= 0x80;
}

/* Reads the data lines of a file whose header has been read (`buffer` starts after it; `size` bytes, every
 * line ending with '\n', no '\0' anywhere): `columns` gives the field index of the student, skill,
 * answer and order (-1: no order column) and `needed` the fields a line must have. Writes per kept row the
 * student and skill codes (in order of first appearance), the answer and the order (or the row number), and
 * for each name its (start, length) in the buffer, `*student_names` and `*skill_names` the numbers of names,
 * `*ordered` whether the orders kept never decrease.
 * Returns the number of kept rows; -1 on anything the fast reader does not handle or the file has wrong
 * (the caller then reads the file the slow way, which reports every problem with its line). */
int64_t bkt_read_rows(const uint8_t *buffer, int64_t size, uint8_t delimiter, const int64_t *columns,
                      int64_t needed, int skip_blank_skills, int64_t *students, int64_t *skills,
                      int8_t *correct, int64_t *order, int64_t *student_start, int64_t *student_length,
                      int64_t *student_names, int64_t *skill_start, int64_t *skill_length,
                      int64_t *skill_names, int64_t *ordered) {
    NameTable student_table = {0}, skill_table = {0};
    /* The previous row's student and skill: rows of one student usually come together, and a repeated
     * name needs no hashing. */
    int64_t last_student = -1, last_skill = -1;
    student_table.name_start = student_start;
    student_table.name_length = student_length;
    skill_table.name_start = skill_start;
    skill_table.name_length = skill_length;
    int64_t kept = 0, rows = 0, failed = 0;
    int64_t starts[4] = {0}, lengths[4] = {0};
    *ordered = 1;
    int64_t at = 0;
    while (at < size && !failed) {
        if (buffer[at] == '\n' || (buffer[at] == '\r' && at + 1 < size && buffer[at + 1] == '\n')) {
            at += buffer[at] == '\n' ? 1 : 2; /* a blank line, which the csv module skips */
            continue;
        }
        rows++;
        for (int role = 0; role < 4; role++) starts[role] = lengths[role] = 0;
        /* The fields of one record, as the csv module splits them: a field that opens with a quote runs to
         * the closing quote ("" standing for one, delimiters and line breaks kept), then on unquoted. */
        int64_t field = 0;
        for (;;) {
            const int64_t first = at;
            const int quoted = buffer[at] == '"';
            if (quoted) {
                for (at++; at < size; at++) {
                    if (buffer[at] == '"') {
                        if (at + 1 < size && buffer[at + 1] == '"') {
                            at++;
                        } else {
                            break;
                        }
                    }
                }
                if (at >= size) {
                    failed = 1; /* a quote left open */
                    break;
                }
                at++;
            }
            while (at < size && buffer[at] != delimiter && buffer[at] != '\n' && buffer[at] != '\r') at++;
            for (int role = 0; role < 4; role++) {
                if (columns[role] == field) {
                    /* The fields used must be plain: a quoted one would need unquoting. */
                    if (quoted || (at > first && (strippable(buffer[first]) || strippable(buffer[at - 1])))) {
                        failed = 1;
                    }
                    starts[role] = first;
                    lengths[role] = at - first;
                }
            }
            field++;
            if (at >= size) {
                failed = 1;
                break;
            }
            if (buffer[at] == delimiter) {
                at++;
                continue;
            }
            if (buffer[at] == '\r') {
                if (at + 1 < size && buffer[at + 1] == '\n') {
                    at++;
                } else {
                    failed = 1; /* a lone carriage return */
                }
            }
            at++;
            break;
        }
        if (failed || field < needed || lengths[0] == 0) {
            failed = 1;
            break;
        }
        if (lengths[2] != 1 || (buffer[starts[2]] != '0' && buffer[starts[2]] != '1')) {
            failed = 1;
            break;
        }
        int64_t position = rows;
        if (columns[3] >= 0) {
            const uint8_t *digits = buffer + starts[3];
            int64_t length = lengths[3], sign = 1;
            if (length && (digits[0] == '+' || digits[0] == '-')) {
                sign = digits[0] == '-' ? -1 : 1;
                digits++;
                length--;
            }
            if (length == 0 || length > 18) {
                failed = 1;
                break;
            }
            position = 0;
            for (int64_t i = 0; i < length; i++) {
                if (digits[i] < '0' || digits[i] > '9') failed = 1;
                position = 10 * position + (digits[i] - '0');
            }
            if (failed) break;
            position *= sign;
        }
        if (lengths[1] == 0) {
            if (!skip_blank_skills) failed = 1;
            continue;
        }
        const int64_t student = same_name(&student_table, last_student, buffer, starts[0], lengths[0])
                                    ? last_student
                                    : table_code(&student_table, buffer, starts[0], lengths[0]);
        const int64_t skill = same_name(&skill_table, last_skill, buffer, starts[1], lengths[1])
                                  ? last_skill
                                  : table_code(&skill_table, buffer, starts[1], lengths[1]);
        last_student = student;
        last_skill = skill;
        if (student < 0 || skill < 0) {
            failed = 1;
            break;
        }
        students[kept] = student;
        skills[kept] = skill;
        correct[kept] = (int8_t)(buffer[starts[2]] - '0');
        if (kept && position < order[kept - 1]) *ordered = 0;
        order[kept] = position;
        kept++;
    }
    free(student_table.slots);
    free(student_table.hashes);
    free(skill_table.slots);
    free(skill_table.hashes);
    *student_names = student_table.count;
    *skill_names = skill_table.count;
    return failed || rows == 0 ? -1 : kept;
}
