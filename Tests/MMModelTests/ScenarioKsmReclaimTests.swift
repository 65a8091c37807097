// The scenario lines `reclaim PAGES` and `expect ksm NAME=N…`. Expected values
// come from kernel rules: mm/vmscan.c shrink_folio_list() → try_to_unmap()
// walks every mapping of a folio, while mm/madvise.c
// madvise_cold_or_pageout_pte_range() skips a folio_likely_mapped_shared()
// one; mm/ksm.c pages_shared / pages_sharing (one KSM page per content, the
// other mappings sharing it), stable_node_dup chains at max_page_sharing
// (256), try_to_merge_with_zero_page() and include/linux/ksm.h ksm_fork().
import Testing
@_spi(Testing) @testable import MMModel

@Suite("scenario lines: reclaim, expect ksm")
struct ScenarioKsmReclaimTests {
    func runChecked(_ text: String) -> ScenarioResult {
        switch Scenario.parse(text: text) {
        case .failure(let e):
            Issue.record("parse: \(e)")
            return ScenarioResult(name: "", header: ScenarioHeader())
        case .success(let s):
            let (r, vs) = s.runChecked()
            #expect(vs.isEmpty, "\(vs)")
            return r
        }
    }

    @Test("reclaim unmaps a folio from every process (shrink_folio_list → try_to_unmap); pageout skips it as mapped shared")
    func reclaimAfterFork() {
        let r = runChecked("""
            thp never
            map A 3 pages
            write A[*] 1
            fork c {
              pageout A[*]
              expect A[*] present count=2
              reclaim A[0..1]
              expect A[0..1] swapped
              pause
            }
            expect A[0..1] swapped same-frame-as c A[0..1]
            expect A[2] present count=2 shared-with c
            phase in
            read A[0]
            expect faults minor=0 major=1
            expect A[0] present == 1
            expect A[1] swapped
            """)
        #expect(r.passed, "\(r.failures) \(String(describing: r.error))")
        #expect(r.expectationsHeld == 7)
    }

    @Test("reclaim discards a clean MADV_FREE folio and skips a pinned one; 'try reclaim' without swap space goes on")
    func reclaimLazyfreeAndPinned() {
        let r = runChecked("""
            thp never
            swap-slots 1
            map A 3 pages
            write A[*] 2
            free A[0]
            pin ro A[1]
            reclaim A[0..1]
            expect A[0] none
            expect A[1] present pinned
            map B 1 page
            write B[0] 5
            pageout B[0]
            expect B[0] swapped                       # the one slot is taken
            try reclaim A[2]
            expect A[2] present == 2
            """)
        #expect(r.passed, "\(r.failures) \(String(describing: r.error))")
        #expect(r.expectationsHeld == 4)
    }

    @Test("a page made lazyfree (MADV_FREE) then merged by KSM is not discarded: KSM dirtied it, so try_to_unmap_one makes it swap-backed again; the next reclaim swaps it out (found by mmm explore, seed 24424: INV-11)")
    func lazyfreeKsmReclaim() {
        let r = runChecked("""
            thp never
            swap disk
            map A 7 pages
            ksm merge A[2..5]
            populate write A[*]
            munmap A[3]
            fork c1 {
              free A[4]
              map B 1 page
              ksm merge B[*]
              pause
            }
            expect A[4] present ksm
            reclaim A[2]
            expect A[2] present ksm
            expect A[4..5] present ksm
            expect consistent
            reclaim A[2]
            expect A[2] swapped
            expect A[4..5] swapped
            resume c1
            """)
        #expect(r.passed, "\(r.failures) \(String(describing: r.error))")
        #expect(r.expectationsHeld == 6)
    }

    @Test("expect ksm: one KSM page per content, its other mappings in pages_sharing; 300 mappings make a chain of 2 dups")
    func expectKsmCounts() {
        let r = runChecked("""
            thp never
            map A 300 pages
            map B 2 pages
            write A[*] 7
            write B[*] 9
            expect ksm pages_shared=0 pages_sharing=0 ksm_zero_pages=0
            ksm merge A[*]
            ksm merge B[*]
            expect ksm pages_shared=3 pages_sharing=299 stable_node_chains=1 stable_node_dups=2
            write B[0] 1
            expect ksm pages_shared=3 pages_sharing=298
            """)
        #expect(r.passed, "\(r.failures) \(String(describing: r.error))")
        #expect(r.expectationsHeld == 3)
    }

    @Test("expect ksm with use_zero_pages: ksm_zero_pages and self-zero-pages; ksm_fork copies the count to the child")
    func expectKsmZeroPages() {
        let r = runChecked("""
            thp never
            ksm-zero-pages on
            map A 4 pages
            write A[*] 0
            ksm merge A[*]
            expect ksm ksm_zero_pages=4 pages_shared=0 self-zero-pages=4
            fork c {
              expect ksm ksm_zero_pages=8 self-zero-pages=4
              write A[0] 1
              expect ksm ksm_zero_pages=7 self-zero-pages=3
              exit
            }
            expect ksm ksm_zero_pages=4 self-zero-pages=4
            """)
        #expect(r.passed, "\(r.failures) \(String(describing: r.error))")
        #expect(r.expectationsHeld == 4)
    }

    @Test("a failing expect ksm names each counter that differs and its value")
    func expectKsmFailure() {
        let r = Scenario.run(text: """
            map A 2 pages
            write A[*] 3
            ksm merge A[*]
            expect ksm pages_shared=2 pages_sharing=1 stable_node_chains=1
            """)
        #expect(r.error == nil)
        #expect(r.failures.count == 1)
        #expect(r.failures.first?.line == 4)
        #expect(r.failures.first?.message.contains("pages_shared is 1, stable_node_chains is 0") == true)
    }

    @Test("parse errors of reclaim and expect ksm name their line", arguments: [
        "reclaim", "reclaim A[0] A[1]", "reclaim 3", "expect ksm", "expect ksm pages=1", "expect ksm pages_shared",
        "expect ksm pages_shared=-1", "expect ksm pages_shared=x", "expect ksm pages_shared=1 pages_shared=1",
        "expect ksm pages_shared=99999999999999999999999",
    ])
    func parseErrors(_ line: String) {
        guard case .failure(let e) = Scenario.parse(text: "map A 2 pages\n" + line) else {
            Issue.record("'\(line)' parsed")
            return
        }
        #expect(e.line == 2)
    }
}
