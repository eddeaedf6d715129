import { stackParametersFor } from '../../../bot/ops/deploy/toolkit-stack-deployer';
import { IMAGE_TAG_PARAMETER } from '../../../config';

describe("the toolkit-lib deployer's stack parameters", () => {
  it('sets ImageTag to the version and keeps every other parameter', () => {
    // WHEN
    const parameters = stackParametersFor('v1.5.0');

    // THEN
    expect([...parameters.parameters]).toEqual([[IMAGE_TAG_PARAMETER, 'v1.5.0']]);
    expect(parameters.keepExistingParameters).toBe(true);
  });

  it('keeps the running ImageTag (UsePreviousValue) for an infrastructure-only deploy', () => {
    // WHEN
    const parameters = stackParametersFor(null);

    // THEN
    expect(parameters.parameters.size).toBe(0);
    expect(parameters.keepExistingParameters).toBe(true);
  });
});
