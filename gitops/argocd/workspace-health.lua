-- Argo CD health of an idmelon.com/Workspace or ClusterWorkspace, from the operator's status.
--   Healthy      Ready=True: IDmelon accepts the workspace's Admin key
--   Progressing  not yet checked, or the latest spec not yet observed
--   Degraded     Ready=False (SecretNotFound, AdminKeyRefused, Unreachable, InvalidSpec): the message says why
hs = {}
local status = obj.status
if status == nil or status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to check the workspace"
  return hs
end
if obj.metadata.generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < obj.metadata.generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe the latest spec"
  return hs
end
for _, condition in ipairs(status.conditions) do
  if condition.type == "Ready" then
    hs.message = tostring(condition.reason) .. ": " .. tostring(condition.message)
    if condition.status == "True" then
      hs.status = "Healthy"
    elseif condition.status == "False" then
      hs.status = "Degraded"
    else
      hs.status = "Progressing"
    end
    return hs
  end
end
hs.status = "Progressing"
hs.message = "Waiting for the Ready condition"
return hs
