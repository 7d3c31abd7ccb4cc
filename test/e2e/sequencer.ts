// Runs e2e files in name order, so `zz-secrets.test.ts` checks what every other file recorded.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export class AlphabeticalSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}
